using System.Net;
using System.Net.Sockets;

namespace OrleansTenancy.TestSupport;

/// <summary>Ports nothing listens on, for hosts that several tests start side by side in one process.</summary>
public static class FreePorts
{
    /// <summary>
    /// Returns <paramref name="count"/> distinct loopback ports that were free a moment ago (the operating system picks
    /// them; they are released before this returns, so a host that binds them at once gets them).
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
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
