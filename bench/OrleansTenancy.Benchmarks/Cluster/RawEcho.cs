using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// The raw floor of a remote call: a 4-byte request and its 4-byte answer over loopback TCP, one connection per
/// worker, no serialiser, no scheduler. What Orleans adds to a cross-silo call is measured against it.
/// </summary>
public sealed class RawEcho : IAsyncDisposable
{
    private readonly TcpListener? _listener;
    private readonly List<TcpClient> _clients = [];
    private readonly List<NetworkStream> _streams = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting = Task.CompletedTask;

    private RawEcho(TcpListener? listener)
    {
        _listener = listener;
        if (listener is not null)
        {
            _accepting = AcceptAsync(listener);
        }
    }

    /// <summary>The port the server listens on (0 for a client of a server in another process).</summary>
    public int Port => _listener is null ? 0 : ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The server and <paramref name="connections"/> clients, in this process.</summary>
    public static async Task<RawEcho> StartAsync(int connections)
    {
        var echo = Serve();
        await echo.ConnectAsync(echo.Port, connections);
        return echo;
    }

    /// <summary>The server alone, on a free loopback port (<see cref="Port"/>), for clients in another process.</summary>
    public static RawEcho Serve()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new RawEcho(listener);
    }

    /// <summary><paramref name="connections"/> clients of a server in another process.</summary>
    public static async Task<RawEcho> ClientOfAsync(int port, int connections)
    {
        var echo = new RawEcho(null);
        await echo.ConnectAsync(port, connections);
        return echo;
    }

    private async Task ConnectAsync(int port, int connections)
    {
        for (var i = 0; i < connections; i++)
        {
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, port);
            _clients.Add(client);
            _streams.Add(client.GetStream());
        }
    }

    /// <summary>Sends <paramref name="value"/> on connection <paramref name="connection"/> and reads it back.</summary>
    public async Task<int> EchoAsync(int connection, int value)
    {
        var stream = _streams[connection];
        var buffer = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        await stream.WriteAsync(buffer);
        await stream.ReadExactlyAsync(buffer);
        return BinaryPrimitives.ReadInt32LittleEndian(buffer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _listener?.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            var server = await listener.AcceptTcpClientAsync(_stop.Token);
            server.NoDelay = true;
            _ = Task.Run(() => ServeAsync(server));
        }
    }

    private async Task ServeAsync(TcpClient server)
    {
        using (server)
        {
            var stream = server.GetStream();
            var buffer = new byte[4];
            try
            {
                while (true)
                {
                    await stream.ReadExactlyAsync(buffer, _stop.Token);
                    await stream.WriteAsync(buffer, _stop.Token);
                }
            }
            catch (Exception error) when (error is EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // the client closed its end
            }
        }
    }
}
