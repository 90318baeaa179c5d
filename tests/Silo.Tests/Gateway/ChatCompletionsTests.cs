using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class ChatCompletionsTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_openai_client_completes_a_chat_through_the_router()
    {
        var chat = _host.OpenAiChat(_host.StaffKey);

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Say hello")]);

        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.Equal("openai/gpt-4o-mini", completion.Model);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.Equal(1, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task The_openai_client_streams_a_chat_with_usage_in_the_final_chunk()
    {
        var chat = _host.OpenAiChat(_host.StaffKey);
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Tell me a story")], new ChatCompletionOptions()))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.True(text.Length > 0);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task A_plain_answer_is_sent_with_its_content_length_not_chunked()
    {
        using var client = _host.CreateClient();
        using var request = Post(_host.StaffKey, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } });

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("chat.completion", json.RootElement.GetProperty("object").GetString());
        Assert.True(json.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal() > 0);
    }

    [Fact]
    public async Task A_stream_without_include_usage_has_no_usage_chunk_and_ends_with_done()
    {
        using var client = _host.CreateClient();
        using var request = Post(_host.StaffKey, new { model = "openai/gpt-4o-mini", stream = true, messages = new[] { new { role = "user", content = "hi" } } });

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("data: ", StringComparison.Ordinal)).ToList();
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.True(events.Count > 2);
        Assert.DoesNotContain(events, e => e.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_budget_refusal_reaches_the_openai_client_as_402_naming_the_limit()
    {
        var chat = _host.OpenAiChat(_host.BrokeKey);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(402, refused.Status);
        var error = JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
        var budget = error.GetProperty("budget");
        Assert.Equal("cost_usd", budget.GetProperty("limit_kind").GetString());
        Assert.Equal("day", budget.GetProperty("period").GetString());
        Assert.Equal(0.000001m, budget.GetProperty("limit").GetDecimal());
        Assert.Equal(0.000001m, budget.GetProperty("remaining").GetDecimal());
        Assert.True(DateTimeOffset.Parse(budget.GetProperty("resets_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
        Assert.Equal(0, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task A_streaming_budget_refusal_is_a_json_402_not_an_event_stream()
    {
        var chat = _host.OpenAiChat(_host.BrokeKey);

        var refused = await Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
            }
        });

        Assert.Equal(402, refused.Status);
        Assert.Contains("budget_exceeded", refused.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_call_is_answered_from_the_workspace_cache_and_says_so()
    {
        using var client = _host.CreateClient();
        var body = new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "What are the opening hours?" } } };

        using var first = await client.SendAsync(Post(_host.StaffKey, body));
        using var second = await client.SendAsync(Post(_host.StaffKey, body));

        Assert.Equal("miss", first.Headers.GetValues("X-Cache").Single());
        Assert.Equal("hit", second.Headers.GetValues("X-Cache").Single());
        var firstText = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        var secondText = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        Assert.Equal(firstText, secondText);
        Assert.Equal(1, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task The_tenants_rate_limit_is_429_with_retry_after_and_never_reaches_upstream()
    {
        using var client = _host.CreateClient();

        using var first = await client.SendAsync(Post(_host.BusyKey, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "one" } } }));
        using var second = await client.SendAsync(Post(_host.BusyKey, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "two" } } }));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var retryAfter = second.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        var error = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("type").GetString());
        Assert.Equal(1, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task A_model_outside_the_allow_list_is_403_naming_the_model()
    {
        var chat = _host.OpenAiChat(_host.SupportKey, model: "openai/gpt-4o");

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(403, refused.Status);
        var error = JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("permission_denied", error.GetProperty("type").GetString());
        Assert.Contains("openai/gpt-4o", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task Without_context_in_non_strict_mode_the_call_is_served_as_default_main()
    {
        using var client = _host.CreateClient();
        using var measurements = _host.Measure();
        using var request = Post(apiKey: null, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } });

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("default:main", response.Headers.GetValues("X-Tenant-Context").Single());
        var fallback = Assert.Single(measurements.All, m => m.Instrument == "tenancy_fallback_total");
        Assert.Equal(("default", "main"), (fallback.Tag("tenant"), fallback.Tag("workspace")));
        var served = Assert.Single(measurements.All, m => m.Instrument == "llm_requests_total");
        Assert.Equal(("default", "main", "ok"), (served.Tag("tenant"), served.Tag("workspace"), served.Tag("status")));
    }

    [Fact]
    public async Task A_call_without_X_Request_Id_is_answered_with_the_version_7_id_the_gateway_made_for_it()
    {
        using var client = _host.CreateClient();
        using var request = Post(_host.StaffKey, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } });

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(RequestIdShape.Version7, response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task The_admin_key_with_tenant_and_workspace_headers_acts_for_that_workspace()
    {
        using var client = _host.CreateClient();
        using var request = Post(GatewayHost.AdminKey, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } });
        request.Headers.Add("X-Tenant", "acme");
        request.Headers.Add("X-Workspace", "support");
        request.Headers.Add("X-Request-Id", "admin-headers-1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("acme:support", response.Headers.GetValues("X-Tenant-Context").Single());
        Assert.Equal("admin-headers-1", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task The_admin_key_with_a_guild_header_acts_for_the_guilds_workspace_and_its_allow_list()
    {
        using var client = _host.CreateClient();
        using var allowed = Post(GatewayHost.AdminKey, new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } });
        allowed.Headers.Add("X-Discord-Guild-Id", GatewayHost.SupportGuild);
        using var outside = Post(GatewayHost.AdminKey, new { model = "openai/gpt-4o", messages = new[] { new { role = "user", content = "hi" } } });
        outside.Headers.Add("X-Discord-Guild-Id", GatewayHost.SupportGuild);

        using var served = await client.SendAsync(allowed);
        using var refused = await client.SendAsync(outside);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("acme:support", served.Headers.GetValues("X-Tenant-Context").Single());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_malformed_body_is_400_invalid_request()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
            Content = new StringContent("{\"messages\": [", Encoding.UTF8, "application/json"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    private static HttpRequestMessage Post(string? apiKey, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + apiKey);
        }

        return request;
    }
}
