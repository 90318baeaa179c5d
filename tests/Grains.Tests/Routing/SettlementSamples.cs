using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>Settlements for the outbox and journal tests: every field set, a cost with more digits than a cent.</summary>
internal static class SettlementSamples
{
    public static PendingSettlement Settlement(string id, string workspace = "main") => new(
        "acme",
        new SettleRequest { RequestId = id, Workspace = workspace, ActualCostUsd = 0.000123456789m, PromptTokens = 12, CompletionTokens = 34 },
        new ExecutionDetails { Status = "ok", Model = "openai/gpt-4o-mini", Provider = "OpenAI", Agent = "bot", Task = "chat", LatencyMs = 850 });
}
