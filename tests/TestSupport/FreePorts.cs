using System.Net;
using System.Net.Sockets;

namespace OrleansTenancy.TestSupport;

/// <summary>Ports nothing listens on, for hosts that several tests start side by side in one process.</summary>
public static class FreePorts
{
    // Below Linux's ephemeral range (32768-60999), so that no outgoing connection of this or another test process
    // takes a port between the check and the host's bind; above the fixed ports of deploy/local (8080s, 11110s) and
    // below Orleans' default gateway port (30000). Each process starts at a random place and walks on.
    private const int First = 20000;
    private const int Count = 9000;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>
    /// Returns <paramref name="count"/> distinct loopback ports that were free a moment ago, from a range the operating
    /// system never hands out for outgoing connections; they are released before this returns, so a host that binds
    /// them at once gets them.
    /// </summary>
    public static int[] Take(int count)
    {
        var ports = new int[count];
        for (var i = 0; i < count; i++)
        {
            ports[i] = NextFree();
        }

        return ports;
    }

    private static int NextFree()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use by another test process: walk on.
            }
            finally
            {
                listener.Stop();
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {First + Count - 1}.");
    }

    /// <summary>
    /// Configuration settings that give a silo host Orleans ports of its own (<c>Cluster:SiloPort</c>,
    /// <c>Cluster:GatewayPort</c>), so that several hosts can run in one test process.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ClusterSettings()
    {
        var ports = Take(2);
        return
        [
            new("Cluster:SiloPort", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Cluster:GatewayPort", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
    }
}
