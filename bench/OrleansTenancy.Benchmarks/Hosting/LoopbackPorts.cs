using System.Net;
using System.Net.Sockets;

namespace OrleansTenancy.Benchmarks.Hosting;

/// <summary>Loopback ports nothing listens on, for the silos a benchmark starts.</summary>
public static class LoopbackPorts
{
    /// <summary>A port the operating system just handed out and released again.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
