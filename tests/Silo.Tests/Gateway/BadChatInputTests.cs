using System.Net;
using System.Text;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>Malformed chat requests are a 400 in the OpenAI error shape, never a 5xx (OpenAI SDKs retry those).</summary>
public sealed class BadChatInputTests(SharedGatewayHost fixture) : IClassFixture<SharedGatewayHost>
{
    private readonly GatewayHost _host = fixture.Host;

    [Theory]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":null}""", "messages")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[null]}""", "messages")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[1]}""", "messages")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":null,"content":"hi"}]}""", "role")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"","content":"hi"}]}""", "role")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":{"a":1}}]}""", "content")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":-5}""", "max_tokens")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":"5"}""", "max_tokens")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"models":[null]}""", "models")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"models":[""]}""", "models")]
    [InlineData("""{"model":7,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"provider":[]}""", "provider")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":1e400}""", "temperature")]
    [InlineData("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"top_p":-1e400}""", "top_p")]
    [InlineData("""[]""", "object")]
    [InlineData("", "body")]
    public async Task A_malformed_body_is_a_400_naming_the_field_plain_and_streaming(string body, string named)
    {
        foreach (var stream in new[] { false, true })
        {
            using var client = _host.CreateClient();
            using var request = Chat(stream ? WithStream(body) : body);

            using var response = await client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"stream={stream}: HTTP {(int)response.StatusCode} for {body}: {await response.Content.ReadAsStringAsync()}");
            var error = await ErrorShapeTests.OpenAiErrorOf(response);
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.Contains(named, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, _host.Simulator.Requests.Count);
    }

    [Theory]
    [InlineData("X-Request-Id", "abc\u0001def")]
    [InlineData("X-Request-Id", "caf\u00e9")]
    [InlineData("X-Request-Id", "has space")]
    [InlineData("X-Task", "summ\u0007ary")]
    [InlineData("X-Agent", "\u00fcber-bot")]
    [InlineData("X-Downshift", "maybe")]
    public async Task A_malformed_header_is_a_400_naming_it(string header, string value)
    {
        using var client = _host.CreateClient();
        using var request = Chat("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorShapeTests.OpenAiErrorOf(response);
        Assert.Contains(header, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _host.Simulator.Requests.Count);
    }

    [Theory]
    [InlineData(" ", "main")]
    [InlineData("acme", " ")]
    [InlineData("a\u0001b", "main")]
    public async Task Blank_or_control_context_headers_are_a_4xx_not_a_failure(string tenant, string workspace)
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + GatewayHost.AdminKey } } };
        request.Headers.TryAddWithoutValidation("X-Tenant", tenant);
        request.Headers.TryAddWithoutValidation("X-Workspace", workspace);

        using var response = await client.SendAsync(request);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Matches("X-(Tenant|Workspace)", (await ErrorShapeTests.OpenAiErrorOf(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_request_id_too_long_is_refused()
    {
        using var client = _host.CreateClient();
        using var request = Chat("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("X-Request-Id", new string('a', 129));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("128", (await ErrorShapeTests.OpenAiErrorOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private HttpRequestMessage Chat(string body) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
    };

    private static string WithStream(string body) =>
        body.StartsWith("{\"", StringComparison.Ordinal) && !body.Contains("\"stream\"", StringComparison.Ordinal) ? "{\"stream\":true," + body[1..] : body;
}
