using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>The one mapping from a refusal the cluster answers to the exception a caller catches.</summary>
internal static class Refusals
{
    public static Exception ToException(ChatRefusal refusal, string? requestId, TenantContext? context) => refusal.Code switch
    {
        "budget_exceeded" => new BudgetExceededException(refusal, requestId, context),
        "rate_limited" or "upstream_rate_limited" => new RateLimitedException(refusal, requestId, context),
        "unknown_tenant" when context is { } known => new UnknownTenantException(known.Tenant, known.Workspace, refusal.Message),
        _ => new CallRefusedException(refusal, requestId, context),
    };
}
