using System.Net;
using System.Net.Sockets;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>Runs of consecutive loopback ports nothing listens on, for schemes that number ports from a base.</summary>
public static class PortBlock
{
    /// <summary>
    /// A base such that <c>base + 1</c> to <c>base + <paramref name="count"/></c> were all free a moment ago (they are
    /// released before this returns), and none of them is in <paramref name="taken"/>.
    /// </summary>
    public static int FreeBase(int count, ISet<int>? taken = null)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            // Below Linux's ephemeral range, so no outgoing connection takes one before the silo binds it, and apart
            // from the range of FreePorts (20000-28999), which hosts in other test processes take meanwhile.
            var first = Random.Shared.Next(12_000, 20_000 - count);
            var ports = Enumerable.Range(first, count).ToArray();
            if (taken is not null && ports.Any(taken.Contains))
            {
                continue;
            }

            var listeners = new List<TcpListener>();
            try
            {
                foreach (var port in ports)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                taken?.UnionWith(ports);
                return first - 1;
            }
            catch (SocketException)
            {
                // One of them is in use: try another run.
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"Found no run of {count} free loopback ports.");
    }
}
