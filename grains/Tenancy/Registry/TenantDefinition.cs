namespace OrleansTenancy.Tenancy.Registry;

/// <summary>One workspace of a tenant, with its guilds and the settings it overrides.</summary>
/// <param name="Key">Workspace key (a slug), unique within the tenant.</param>
/// <param name="DisplayName">Human name (<c>name</c>); the key when not given.</param>
/// <param name="GuildIds">Discord guilds that map to this workspace.</param>
/// <param name="Routing">Routing overrides; they win over the tenant's.</param>
/// <param name="Budgets">Budget overrides; a set field wins over the tenant's.</param>
/// <param name="Policy">Policy overrides; a set field wins over the tenant's.</param>
public sealed record WorkspaceDefinition(
    string Key,
    string DisplayName,
    IReadOnlyList<ulong> GuildIds,
    RoutingSettings Routing,
    BudgetLimits Budgets,
    PolicySettings Policy);

/// <summary>A tenant as loaded from <c>tenants/&lt;slug&gt;/</c>.</summary>
public sealed record TenantDefinition
{
    /// <summary>The tenant slug (its folder name).</summary>
    public required string Slug { get; init; }

    /// <summary>Human name (<c>name</c> in <c>tenant.yaml</c>); the slug when not given.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Whether the tenant is served.</summary>
    public TenantStatus Status { get; init; } = TenantStatus.Active;

    /// <summary>The time zone that aligns the tenant's days and months (default UTC).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Workspaces by key.</summary>
    public required IReadOnlyDictionary<string, WorkspaceDefinition> Workspaces { get; init; }

    /// <summary>Tenant-level routing (<c>routing.yaml</c>).</summary>
    public RoutingSettings Routing { get; init; } = RoutingSettings.Empty;

    /// <summary>Tenant-level budget limits (<c>budgets.yaml</c>).</summary>
    public BudgetLimits Budgets { get; init; } = new();

    /// <summary>Tenant-level policy (<c>policy_overrides.yaml</c>).</summary>
    public PolicySettings Policy { get; init; } = PolicySettings.Empty;

    /// <summary>API keys bound to this tenant's workspaces.</summary>
    public IReadOnlyList<ApiKeyDefinition> ApiKeys { get; init; } = [];

    /// <summary>Webhooks that receive this tenant's budget alerts (<c>alerts.webhooks</c> in <c>tenant.yaml</c>), besides the global ones.</summary>
    public IReadOnlyList<Alerts.AlertWebhook> AlertWebhooks { get; init; } = [];

    /// <summary>Whether the tenant comes from the tenants folder (or is built in) or was registered at run time.</summary>
    public TenantOrigin Origin { get; init; } = TenantOrigin.Yaml;

    /// <summary>The folder the tenant was loaded from, as the loader was given it; empty for a built-in or runtime tenant.</summary>
    public string SourceFolder { get; init; } = string.Empty;

    /// <summary>Where guilds and keys were declared, so cross-tenant conflicts can point at a line.</summary>
    internal SourceLines? Lines { get; init; }
}

/// <summary>Lines in <c>tenant.yaml</c> of each guild id and API-key hash, by value.</summary>
internal sealed class SourceLines
{
    public Dictionary<ulong, int> Guilds { get; } = [];

    public Dictionary<string, int> ApiKeys { get; } = new(StringComparer.Ordinal);
}
