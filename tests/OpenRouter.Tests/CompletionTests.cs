using System.Text.Json;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Tests;

public sealed class CompletionTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Completion_reports_tokens_and_cost_from_the_response()
    {
        var client = fixture.CreateClient();
        var id = SimulatorFixture.NewId();

        var result = await client.CompleteAsync(
            SimulatorFixture.Request("openai/gpt-4o"),
            SimulatorFixture.Call(id, ("X-Sim-Prompt-Tokens", "1200"), ("X-Sim-Completion-Tokens", "300")));

        Assert.Equal(1, result.Attempts);
        Assert.Equal("openai/gpt-4o", result.Model);
        Assert.Equal("SimProvider", result.Response.Provider);
        Assert.StartsWith("Simulated reply from openai/gpt-4o", result.Text, StringComparison.Ordinal);
        Assert.Equal("stop", result.Response.Choices[0].FinishReason);
        Assert.Equal(1200, result.Usage!.PromptTokens);
        Assert.Equal(300, result.Usage.CompletionTokens);
        Assert.Equal(1500, result.Usage.TotalTokens);
        // gpt-4o in the simulator's table: $0.0000025 prompt, $0.00001 completion per token.
        Assert.Equal((1200 * 0.0000025m) + (300 * 0.00001m), result.Usage.Cost);
        Assert.Equal(0, result.Usage.PromptTokensDetails!.CachedTokens);
    }

    [Fact]
    public async Task Forced_cost_knob_is_what_the_client_reads()
    {
        var result = await fixture.CreateClient().CompleteAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(SimulatorFixture.NewId(), ("X-Sim-Cost", "0.0421")));

        Assert.Equal(0.0421m, result.Usage!.Cost);
    }

    [Fact]
    public async Task Request_json_carries_provider_object_usage_include_and_user_exactly_as_OpenRouter_expects()
    {
        var id = SimulatorFixture.NewId();
        var request = SimulatorFixture.Request();
        request.User = "tenant-a/ws-1";
        request.MaxTokens = 256;
        request.Temperature = 0.2;
        request.Provider = new ProviderPreferences
        {
            Order = ["openai", "azure"],
            AllowFallbacks = false,
            RequireParameters = true,
            DataCollection = "deny",
            Only = ["openai", "azure"],
            Ignore = ["deepinfra"],
            Sort = "price",
            MaxPrice = new MaxPrice { Prompt = 1m, Completion = 2.5m },
        };

        await fixture.CreateClient().CompleteAsync(request, SimulatorFixture.Call(id));

        var recorded = await fixture.Recorded(id);
        using var body = JsonDocument.Parse(recorded.Body!);
        var root = body.RootElement;
        Assert.Equal(
            """{"order":["openai","azure"],"allow_fallbacks":false,"require_parameters":true,"data_collection":"deny","only":["openai","azure"],"ignore":["deepinfra"],"sort":"price","max_price":{"prompt":1,"completion":2.5}}""",
            root.GetProperty("provider").GetRawText());
        Assert.Equal("""{"include":true}""", root.GetProperty("usage").GetRawText());
        Assert.Equal("tenant-a/ws-1", root.GetProperty("user").GetString());
        Assert.Equal(256, root.GetProperty("max_tokens").GetInt32());
        Assert.False(root.TryGetProperty("stream", out _), "a non-streamed call must not send 'stream'");
        Assert.False(root.TryGetProperty("models", out _), "null members must be omitted");
        Assert.Null(request.Usage);
    }

    [Fact]
    public async Task Attribution_and_auth_headers_are_sent()
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options =>
        {
            options.Referer = "https://tenancy.example";
            options.Title = "Orleans Tenancy";
        });

        await client.CompleteAsync(SimulatorFixture.Request(), SimulatorFixture.Call(id));

        var recorded = await fixture.Recorded(id);
        Assert.Equal("https://tenancy.example", recorded.Referer);
        Assert.Equal("Orleans Tenancy", recorded.Title);
        Assert.True(recorded.HadAuthorization);
    }

    [Fact]
    public async Task Models_fallback_reports_the_model_that_served_the_call()
    {
        var id = SimulatorFixture.NewId();
        var request = SimulatorFixture.Request("openai/gpt-4o");
        request.Models = ["anthropic/claude-3.5-sonnet", "openai/gpt-4o-mini"];

        var result = await fixture.CreateClient().CompleteAsync(
            request, SimulatorFixture.Call(id, ("X-Sim-Fail-Models", "openai/gpt-4o,anthropic/claude-3.5-sonnet")));

        Assert.Equal("openai/gpt-4o-mini", result.Model);
        Assert.Equal(1, result.Attempts);
        Assert.Equal("openai/gpt-4o-mini", (await fixture.Recorded(id)).ModelUsed);
    }

    [Fact]
    public async Task Sim_error_model_names_drive_fallback_without_headers()
    {
        var request = SimulatorFixture.Request("sim/error-502");
        request.Models = ["anthropic/claude-3-haiku"];

        var result = await fixture.CreateClient().CompleteAsync(request, SimulatorFixture.Call(SimulatorFixture.NewId()));

        Assert.Equal("anthropic/claude-3-haiku", result.Model);
    }

    [Fact]
    public async Task Max_tokens_below_the_reply_truncates_with_finish_reason_length()
    {
        var request = SimulatorFixture.Request();
        request.MaxTokens = 2;

        var result = await fixture.CreateClient().CompleteAsync(request, SimulatorFixture.Call(SimulatorFixture.NewId()));

        Assert.Equal("length", result.Response.Choices[0].FinishReason);
        Assert.Equal(2, result.Usage!.CompletionTokens);
        Assert.Equal(8, result.Text.Length);
    }

    [Fact]
    public void Unknown_request_fields_round_trip_through_extension_data()
    {
        const string json = """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"seed":7,"tools":[{"type":"function"}]}""";

        var parsed = JsonSerializer.Deserialize(json, OpenRouterJsonContext.Default.ChatCompletionRequest)!;
        var written = JsonSerializer.Serialize(parsed, OpenRouterJsonContext.Default.ChatCompletionRequest);

        Assert.Equal("a\nb", parsed.Messages[0].Content!.GetText());
        Assert.Equal(7, parsed.AdditionalProperties!["seed"].GetInt32());
        using var reparsed = JsonDocument.Parse(written);
        Assert.Equal("""[{"type":"function"}]""", reparsed.RootElement.GetProperty("tools").GetRawText());
        Assert.Equal(JsonValueKind.Array, reparsed.RootElement.GetProperty("messages")[0].GetProperty("content").ValueKind);
    }
}
