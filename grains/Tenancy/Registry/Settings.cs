using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>Routing as configured at one level (global, tenant or workspace); <see langword="null"/> means "not set here".</summary>
public sealed record RoutingSettings
{
    /// <summary>The empty level: nothing set.</summary>
    public static RoutingSettings Empty { get; } = new();

    /// <summary>Models the router may select (<c>allowed_models</c>); an empty effective list allows every model.</summary>
    public IReadOnlyList<string>? AllowedModels { get; init; }

    /// <summary>Provider routing preferences (<c>providers</c>); a lower level replaces a higher one as a whole.</summary>
    public ProviderPreferences? Providers { get; init; }

    /// <summary>Task → model overrides (<c>models</c>); the task <c>default</c> applies when a task has no entry.</summary>
    public IReadOnlyDictionary<string, string>? Models { get; init; }

    /// <summary>Model id → price overrides (<c>pricing</c>), USD per token.</summary>
    public IReadOnlyDictionary<string, ModelPrice>? Pricing { get; init; }
}

/// <summary>Request policy as configured at one level (<c>policy_overrides.yaml</c>); <see langword="null"/> means "not set here".</summary>
public sealed record PolicySettings
{
    /// <summary>The empty level: nothing set.</summary>
    public static PolicySettings Empty { get; } = new();

    /// <summary>Requests per minute for the tenant (<c>requests_per_minute</c>).</summary>
    public long? RequestsPerMinute { get; init; }

    /// <summary>Tokens (prompt + completion) per minute for the tenant (<c>tokens_per_minute</c>).</summary>
    public long? TokensPerMinute { get; init; }

    /// <summary>Cap on the completion tokens one request may reserve (<c>max_tokens</c>).</summary>
    public long? MaxTokens { get; init; }

    /// <summary>Opt-in: downshift to the cheapest allowed model that fits <c>max_per_request</c> (<c>downshift</c>).</summary>
    public bool? Downshift { get; init; }

    /// <summary>Response cache lifetime in seconds; 0 disables caching (<c>cache_ttl_seconds</c>).</summary>
    public long? CacheTtlSeconds { get; init; }

    /// <summary>How long an unsettled reservation is held before it expires (<c>reservation_ttl_seconds</c>).</summary>
    public long? ReservationTtlSeconds { get; init; }
}

/// <summary>Whether a tenant is served.</summary>
public enum TenantStatus
{
    /// <summary>Requests are served.</summary>
    Active = 0,

    /// <summary>The tenant is known (its guilds and keys resolve) but its requests must be refused.</summary>
    Suspended = 1,
}

/// <summary>An API key bound to a workspace; only the SHA-256 of the secret is ever stored.</summary>
/// <param name="Id">The key's name, unique within the tenant (shown in logs instead of the secret).</param>
/// <param name="Workspace">The workspace requests with this key act in.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the UTF-8 secret.</param>
public sealed record ApiKeyDefinition(string Id, string Workspace, string Sha256);

/// <summary>What an API key hash resolves to.</summary>
/// <param name="KeyId">The key's id within its tenant.</param>
/// <param name="Context">The tenant and workspace the key acts for.</param>
public readonly record struct ApiKeyBinding(string KeyId, TenantContext Context);

/// <summary>Settings every tenant inherits, from <c>_global.yaml</c>.</summary>
public sealed record GlobalDefaults
{
    /// <summary>No global file: nothing set, no unknown-model price.</summary>
    public static GlobalDefaults Empty { get; } = new();

    /// <summary>Global budget limits (used by tenants with <c>inherit_global</c> on).</summary>
    public BudgetLimits Budgets { get; init; } = new();

    /// <summary>Global routing defaults.</summary>
    public RoutingSettings Routing { get; init; } = RoutingSettings.Empty;

    /// <summary>Global policy defaults.</summary>
    public PolicySettings Policy { get; init; } = PolicySettings.Empty;

    /// <summary>Global price list, model id → price.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Pricing { get; init; } = new Dictionary<string, ModelPrice>();

    /// <summary>A conservative price for models with no known price (<c>pricing.unknown_model</c>).</summary>
    public ModelPrice? UnknownModelPrice { get; init; }

    /// <summary>Webhooks that receive every tenant's budget alerts (<c>alerts.webhooks</c>).</summary>
    public IReadOnlyList<Alerts.AlertWebhook> AlertWebhooks { get; init; } = [];
}
