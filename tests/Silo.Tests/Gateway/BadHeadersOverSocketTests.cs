using System.Net.Sockets;
using System.Text;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>Header bytes that only a real socket carries (Kestrel parses them, not the in-process test server).</summary>
public sealed class BadHeadersOverSocketTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xC3, 0xA9 })] // "café" in UTF-8
    [InlineData(new byte[] { 0x61, 0x01, 0x62 })] // a control character
    [InlineData(new byte[] { 0x61, 0xFF, 0x62 })] // not UTF-8 at all
    public async Task A_request_id_with_non_ascii_or_control_bytes_is_a_4xx_with_a_body(byte[] value)
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        var address = _host.SocketAddress!;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        var head = Encoding.ASCII.GetBytes(
            $"POST /v1/chat/completions HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {_host.StaffKey}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\nX-Request-Id: ");
        await stream.WriteAsync(head);
        await stream.WriteAsync(value);
        await stream.WriteAsync("\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(body);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var content = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

        Assert.True(status is >= 400 and < 500, response);
        Assert.Equal(0, _host.Simulator.Requests.Count);
        Assert.Contains("\"error\"", content, StringComparison.Ordinal);
    }
}
