using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>Behaviour the README documents for callers, exercised through the host as documented.</summary>
public sealed class ReadmeExamplesTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Reusing_a_finished_request_id_with_another_body_is_409_request_id_reused()
    {
        using var client = _host.CreateClient();

        using var first = await client.SendAsync(Chat("report-2026-11-22", "Summarise the quarter"));
        using var reused = await client.SendAsync(Chat("report-2026-11-22", "Something else entirely"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        var error = await ErrorShapeTests.OpenAiErrorOf(reused);
        Assert.Equal("request_id_reused", error.GetProperty("code").GetString());
        Assert.Contains("report-2026-11-22", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task The_memory_post_body_adds_an_entry_and_the_same_id_replaces_it()
    {
        using var client = _host.CreateClient();

        using var added = await Post(client, """{"text": "Opening hours are 9 to 5", "metadata": {"lang": "en"}, "id": "hours"}""");
        using var replaced = await Post(client, """{"text": "Opening hours are 8 to 4", "metadata": {"lang": "en"}, "id": "hours"}""");
        using var list = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/memory/faq?meta.lang=en") { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replaced.StatusCode);
        Assert.Equal("/v1/memory/faq/hours", replaced.Headers.Location?.ToString());
        var entry = Assert.Single((await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray());
        Assert.Equal(("hours", "Opening hours are 8 to 4", "acme:staff:faq"), (entry.GetProperty("id").GetString(), entry.GetProperty("text").GetString(), entry.GetProperty("namespace").GetString()));
    }

    private Task<HttpResponseMessage> Post(HttpClient client, string body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/memory/faq")
        {
            Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

    private HttpRequestMessage Chat(string requestId, string text) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Headers = { { "Authorization", "Bearer " + _host.StaffKey }, { "X-Request-Id", requestId } },
        Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = text } }, max_tokens = 20 }),
    };
}
