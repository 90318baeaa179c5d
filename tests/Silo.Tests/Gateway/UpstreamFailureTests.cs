using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Chat;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class UpstreamFailureTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Upstream_429_is_429_with_retry_after()
    {
        _host.Simulator.State.Defaults = new SimulatorKnobs { Error = 429, RetryAfterSeconds = 7 };
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(Post(stream: false));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var error = await ErrorOf(response);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("type").GetString());
        Assert.Equal("upstream_rate_limited", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(402, 402)]
    [InlineData(503, 503)]
    [InlineData(500, 502)]
    public async Task Upstream_failures_map_to_their_status_with_an_openai_error_body(int upstream, int expected)
    {
        _host.Simulator.State.Defaults = new SimulatorKnobs { Error = upstream };
        var chat = _host.OpenAiChat(_host.StaffKey);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(expected, refused.Status);
        var error = JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("upstream_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task An_upstream_failure_before_the_first_chunk_of_a_stream_is_a_json_error()
    {
        _host.Simulator.State.Defaults = new SimulatorKnobs { Error = 503 };
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(Post(stream: true), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("upstream_error", (await ErrorOf(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_upstream_failure_mid_stream_ends_the_stream_with_an_error_event_and_no_done()
    {
        _host.Simulator.State.Defaults = new SimulatorKnobs { StreamErrorAfter = 2 };
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(Post(stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = (await response.Content.ReadAsStringAsync())
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("data: ", StringComparison.Ordinal))
            .Select(e => e["data: ".Length..])
            .ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var last = JsonDocument.Parse(events[^1]).RootElement;
        Assert.True(last.TryGetProperty("error", out var error), $"last event: {events[^1]}");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Contains(events.Take(events.Count - 1), e => e.Contains("\"content\"", StringComparison.Ordinal));
    }

    private HttpRequestMessage Post(bool stream) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
        Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", stream, messages = new[] { new { role = "user", content = "hi" } } }),
    };

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
}
