using OrleansTenancy.Client.Tests.Infrastructure;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Client.Tests;

/// <summary>Streamed chat calls through the gateway: text as it arrives, the settled cost at the end, broken streams billed.</summary>
public sealed class StreamingTests(ClientOnSilo cluster) : IClassFixture<ClientOnSilo>
{
    [Fact]
    public async Task A_streamed_call_hands_over_the_text_in_parts_and_ends_with_the_whole_answer_and_its_settled_cost()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");
        var updates = new List<ChatStreamUpdate>();

        await foreach (var update in support.StreamChatAsync("Tell me a story"))
        {
            updates.Add(update);
        }

        await cluster.SettledAsync();
        var completion = Assert.IsType<ChatResult>(updates[^1].Completion);
        var parts = updates[..^1];
        Assert.True(parts.Count(p => p.Text.Length > 0) >= 4, $"{parts.Count} parts"); // the simulator's default: 4 chunks
        Assert.Equal(string.Concat(parts.Select(p => p.Text)), completion.Text);
        Assert.StartsWith("Simulated reply from openai/gpt-4o-mini", completion.Text, StringComparison.Ordinal);
        Assert.Contains(parts, p => p.FinishReason == "stop");
        Assert.All(parts, p => Assert.Null(p.Completion));
        Assert.True(completion.CostUsd > 0m && completion.CompletionTokens > 0, $"cost {completion.CostUsd}");
        var row = await cluster.RowAsync(support.Tenant, completion.RequestId);
        Assert.Equal(("ok", completion.CostUsd), (row.Status, row.CostUsd));
    }

    [Fact]
    public async Task A_stream_the_caller_stops_reading_is_cancelled_upstream_and_settled_with_what_was_consumed()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");
        var requestId = Guid.NewGuid().ToString("N");
        string? first = null;
        using var settled = cluster.Silo.Measure(m => m.Instrument == "llm_requests_total" && m.Tag("status") == "cancelled");

        // Upstream sends its first chunk at once and the next only after two minutes: the first part reaching the caller
        // shows the answer travels as it arrives; leaving the loop then ends the call.
        await cluster.WithUpstreamAsync(new SimulatorKnobs { ChunkDelayMs = 120_000 }, async () =>
        {
            await foreach (var update in support.StreamChatAsync("Tell me a long story", new ChatOptions { RequestId = requestId }))
            {
                first = update.Text;
                break;
            }

            await settled.Seen;
        });
        await cluster.SettledAsync();

        var row = await cluster.RowAsync(support.Tenant, requestId);
        Assert.False(string.IsNullOrEmpty(first));
        Assert.Equal("cancelled", row.Status);
        Assert.True(row.TokensIn > 0 && row.TokensOut > 0 && row.CostUsd > 0m, $"tokens {row.TokensIn}/{row.TokensOut}, cost {row.CostUsd}");
    }

    [Fact]
    public async Task A_stream_upstream_breaks_throws_after_the_text_that_arrived_and_is_settled_as_incomplete()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");
        var requestId = Guid.NewGuid().ToString("N");
        var texts = new List<string>();

        await cluster.WithUpstreamAsync(new SimulatorKnobs { StreamErrorAfter = 2 }, async () =>
        {
            var broken = await Assert.ThrowsAsync<CallRefusedException>(async () =>
            {
                await foreach (var update in support.StreamChatAsync("Tell me a story", new ChatOptions { RequestId = requestId }))
                {
                    texts.Add(update.Text);
                }
            });
            Assert.Equal(requestId, broken.RequestId);
            Assert.StartsWith("upstream", broken.Code, StringComparison.Ordinal);
        });
        await cluster.SettledAsync();

        var row = await cluster.RowAsync(support.Tenant, requestId);
        Assert.Equal(2, texts.Count(t => t.Length > 0));
        Assert.Equal("incomplete", row.Status);
        Assert.True(row.TokensOut > 0 && row.CostUsd > 0m, $"tokens out {row.TokensOut}, cost {row.CostUsd}");
    }

    [Fact]
    public async Task A_stream_the_budget_refuses_throws_before_any_text()
    {
        var texts = new List<string>();

        var refused = await Assert.ThrowsAsync<BudgetExceededException>(async () =>
        {
            await foreach (var update in cluster.Tenancy.Workspace("broke", "main").StreamChatAsync("Say hello"))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Empty(texts);
        Assert.Equal("budget_exceeded", refused.Code);
        Assert.NotNull(refused.Denial);
    }
}
