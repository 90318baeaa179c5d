using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>The allowed keys of every mapping in the tenant schema (documented in <c>tenants/README.md</c>).</summary>
internal static class SchemaKeys
{
    public static readonly string[] Tenant = ["name", "description", "slug", "status", "timezone", "workspaces", "api_keys", "alerts"];
    public static readonly string[] Alerts = ["webhooks"];
    public static readonly string[] Webhook = ["url", "format"];
    public static readonly string[] Workspace = ["name", "description", "discord_guild_id", "routing", "budgets", "policy"];
    public static readonly string[] ApiKey = ["id", "workspace", "sha256"];
    public static readonly string[] Routing = ["allowed_models", "providers", "models", "pricing"];
    public static readonly string[] Budget =
    [
        BudgetLimitNames.DailyCapUsd, BudgetLimitNames.MonthlyCapUsd, BudgetLimitNames.DailyTokens, BudgetLimitNames.MonthlyTokens,
        BudgetLimitNames.DailyExecutions, BudgetLimitNames.MonthlyExecutions, BudgetLimitNames.MaxPerRequest,
        "enforcement", "inherit_global", "alert_thresholds",
    ];

    public static readonly string[] BudgetFile = [.. Budget, "pricing"];
    public static readonly string[] Policy = ["requests_per_minute", "tokens_per_minute", "max_tokens", "downshift", "cache_ttl_seconds", "reservation_ttl_seconds"];
    public static readonly string[] Providers = ["order", "allow_fallbacks", "only", "ignore", "sort", "data_collection", "max_price"];
    public static readonly string[] MaxPrice = ["prompt", "completion", "request", "image"];
    public static readonly string[] Price = ["prompt", "completion", "max_completion_tokens", "context_length"];
    public static readonly string[] Global = ["budgets", "routing", "policy", "pricing", "alerts"];
    public static readonly string[] TenantFiles = ["tenant.yaml", "routing.yaml", "budgets.yaml", "policy_overrides.yaml"];
}
