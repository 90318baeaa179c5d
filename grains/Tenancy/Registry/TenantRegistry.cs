using System.Collections.Concurrent;
using System.Collections.Frozen;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry.Parsing;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// An immutable snapshot of every loaded tenant, with constant-time guild and API-key resolution and the
/// merge rules that turn global, tenant and workspace settings into effective routing, limits and policy.
/// Reloading produces a new snapshot; readers holding the old one are never disturbed.
/// </summary>
public sealed class TenantRegistry
{
    /// <summary>Alert thresholds used when no level sets <c>alert_thresholds</c>: 50, 80 and 100 percent.</summary>
    public static readonly IReadOnlyList<decimal> DefaultAlertThresholds = [50m, 80m, 100m];

    /// <summary>Enforcement used when no level sets <c>enforcement</c>.</summary>
    public const Enforcement DefaultEnforcement = Enforcement.Soft;

    private readonly FrozenDictionary<string, TenantDefinition> _tenants;
    private readonly TenantDefinition[] _ordered;
    private readonly FrozenDictionary<ulong, TenantContext> _guilds;
    private readonly FrozenDictionary<string, ApiKeyBinding> _apiKeys;
    private TenantClaims? _claims;

    // Effective settings per (tenant, workspace), merged once per snapshot: the router asks for them on every call,
    // and a merge builds frozen dictionaries, which is costly to do per request. Bounded by the registered contexts
    // (an unknown one throws before anything is stored).
    private readonly ConcurrentDictionary<TenantContext, EffectiveRouting> _routing = new();
    private readonly ConcurrentDictionary<TenantContext, EffectivePolicy> _policies = new();

    internal TenantRegistry(IEnumerable<TenantDefinition> tenants, GlobalDefaults global, IReadOnlyList<TenantProblem> problems)
    {
        _ordered = [.. tenants.OrderBy(t => t.Slug, StringComparer.Ordinal)];
        _tenants = Unique(_ordered.Select(t => KeyValuePair.Create(t.Slug, t)), StringComparer.Ordinal, "tenant slug");
        _guilds = Unique(
            _ordered.SelectMany(t => t.Workspaces.Values.SelectMany(w => w.GuildIds.Select(g => KeyValuePair.Create(g, new TenantContext(t.Slug, w.Key))))),
            EqualityComparer<ulong>.Default,
            "guild");
        _apiKeys = Unique(
            _ordered.SelectMany(t => t.ApiKeys.Select(k => KeyValuePair.Create(k.Sha256, new ApiKeyBinding(k.Id, new TenantContext(t.Slug, k.Workspace))))),
            StringComparer.OrdinalIgnoreCase,
            "API key hash");
        Global = global;
        Problems = problems;
    }

    /// <summary>
    /// Builds a snapshot from definitions made in code (for hosts and tests that do not read a folder). No
    /// file validation runs; the snapshot has no problems.
    /// </summary>
    /// <exception cref="ArgumentException">Two tenants share a slug, or a guild or API-key hash is bound twice.</exception>
    public static TenantRegistry FromDefinitions(IEnumerable<TenantDefinition> tenants, GlobalDefaults? global = null)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        return new TenantRegistry(tenants, global ?? GlobalDefaults.Empty, []);
    }

    /// <summary>The loaded tenants, ordered by slug.</summary>
    public IReadOnlyCollection<TenantDefinition> Tenants => _ordered;

    /// <summary>The global defaults in effect.</summary>
    public GlobalDefaults Global { get; }

    /// <summary>Every problem found by the load that produced this snapshot.</summary>
    public IReadOnlyList<TenantProblem> Problems { get; }

    /// <summary>Which tenant holds each guild and API key in this snapshot (what a later load keeps when a claim is contested).</summary>
    public TenantClaims Claims => _claims ??= TenantClaims.Of(_ordered);

    /// <summary>Whether any problem is an error (the validator exits non-zero when so).</summary>
    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);

    /// <summary>The tenant with <paramref name="slug"/>, or <see langword="null"/>.</summary>
    public TenantDefinition? Find(string slug) => _tenants.GetValueOrDefault(slug);

    /// <summary>Resolves a Discord guild to its (tenant, workspace).</summary>
    public bool TryResolveGuild(ulong guildId, out TenantContext context) => _guilds.TryGetValue(guildId, out context);

    /// <summary>Resolves a Discord guild id given as text; false when it is not a snowflake or not registered.</summary>
    public bool TryResolveGuild(string? guildId, out TenantContext context)
    {
        context = default;
        return guildId is not null && Identifiers.TryParseSnowflake(guildId, out var id) && TryResolveGuild(id, out context);
    }

    /// <summary>Resolves an API key by the lowercase or uppercase hex SHA-256 of its secret.</summary>
    public bool TryFindApiKey(string sha256Hex, out ApiKeyBinding binding)
    {
        ArgumentNullException.ThrowIfNull(sha256Hex);
        return _apiKeys.TryGetValue(sha256Hex, out binding);
    }

    /// <summary>Routing for <paramref name="context"/>: workspace over tenant over global.</summary>
    /// <exception cref="KeyNotFoundException">The tenant or workspace is not registered.</exception>
    public EffectiveRouting GetRouting(TenantContext context) =>
        _routing.GetOrAdd(context, static (key, registry) => registry.MergeRouting(key), this);

    /// <summary>Request policy for <paramref name="context"/>: workspace over tenant over global over built-in defaults.</summary>
    /// <exception cref="KeyNotFoundException">The tenant or workspace is not registered.</exception>
    public EffectivePolicy GetPolicy(TenantContext context) =>
        _policies.GetOrAdd(context, static (key, registry) => registry.MergePolicy(key), this);

    private EffectiveRouting MergeRouting(TenantContext context)
    {
        var (tenant, workspace) = Lookup(context.Tenant, context.Workspace);
        RoutingSettings[] levels = [workspace?.Routing ?? RoutingSettings.Empty, tenant.Routing, Global.Routing];
        return new EffectiveRouting
        {
            AllowedModels = levels.Select(l => l.AllowedModels).FirstOrDefault(a => a is not null) ?? [],
            Providers = levels.Select(l => l.Providers).FirstOrDefault(p => p is not null),
            Models = MergeLowestWins(levels.Select(l => l.Models)),
            Pricing = MergeLowestWins([workspace?.Routing.Pricing, tenant.Routing.Pricing, Global.Pricing]),
            UnknownModelPrice = Global.UnknownModelPrice,
        };
    }

    /// <summary>
    /// Effective budget limits: each field comes from the workspace, else the tenant, else (when
    /// <c>inherit_global</c>, default true) the global defaults; enforcement defaults to
    /// <see cref="DefaultEnforcement"/> and thresholds to <see cref="DefaultAlertThresholds"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The tenant or workspace is not registered.</exception>
    public BudgetLimits GetEffectiveLimits(string tenant, string? workspace = null)
    {
        var (definition, space) = Lookup(tenant, workspace);
        var own = space?.Budgets ?? new BudgetLimits();
        var mid = definition.Budgets;
        var inherit = own.InheritGlobal ?? mid.InheritGlobal ?? true;
        var global = inherit ? Global.Budgets : new BudgetLimits();
        return new BudgetLimits
        {
            DailyCapUsd = own.DailyCapUsd ?? mid.DailyCapUsd ?? global.DailyCapUsd,
            MonthlyCapUsd = own.MonthlyCapUsd ?? mid.MonthlyCapUsd ?? global.MonthlyCapUsd,
            DailyTokens = own.DailyTokens ?? mid.DailyTokens ?? global.DailyTokens,
            MonthlyTokens = own.MonthlyTokens ?? mid.MonthlyTokens ?? global.MonthlyTokens,
            DailyExecutions = own.DailyExecutions ?? mid.DailyExecutions ?? global.DailyExecutions,
            MonthlyExecutions = own.MonthlyExecutions ?? mid.MonthlyExecutions ?? global.MonthlyExecutions,
            MaxPerRequest = own.MaxPerRequest ?? mid.MaxPerRequest ?? global.MaxPerRequest,
            Enforcement = own.Enforcement ?? mid.Enforcement ?? global.Enforcement ?? DefaultEnforcement,
            AlertThresholds = own.AlertThresholds ?? mid.AlertThresholds ?? global.AlertThresholds ?? DefaultAlertThresholds,
            InheritGlobal = inherit,
        };
    }

    /// <summary>Effective limits for a context (see <see cref="GetEffectiveLimits(string, string?)"/>).</summary>
    public BudgetLimits GetEffectiveLimits(TenantContext context) => GetEffectiveLimits(context.Tenant, context.Workspace);

    private EffectivePolicy MergePolicy(TenantContext context)
    {
        var (tenant, workspace) = Lookup(context.Tenant, context.Workspace);
        var own = workspace?.Policy ?? PolicySettings.Empty;
        var mid = tenant.Policy;
        var global = Global.Policy;
        return new EffectivePolicy
        {
            RequestsPerMinute = own.RequestsPerMinute ?? mid.RequestsPerMinute ?? global.RequestsPerMinute,
            TokensPerMinute = own.TokensPerMinute ?? mid.TokensPerMinute ?? global.TokensPerMinute,
            MaxTokens = own.MaxTokens ?? mid.MaxTokens ?? global.MaxTokens,
            Downshift = own.Downshift ?? mid.Downshift ?? global.Downshift ?? false,
            CacheTtl = Seconds(own.CacheTtlSeconds ?? mid.CacheTtlSeconds ?? global.CacheTtlSeconds) ?? EffectivePolicy.DefaultCacheTtl,
            ReservationTtl = Seconds(own.ReservationTtlSeconds ?? mid.ReservationTtlSeconds ?? global.ReservationTtlSeconds) ?? EffectivePolicy.DefaultReservationTtl,
        };
    }

    private (TenantDefinition Tenant, WorkspaceDefinition? Workspace) Lookup(string tenant, string? workspace)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!_tenants.TryGetValue(tenant, out var definition))
        {
            throw new KeyNotFoundException($"Tenant '{tenant}' is not in the registry; add tenants/{tenant}/tenant.yaml or check the slug.");
        }

        if (workspace is null)
        {
            return (definition, null);
        }

        if (!definition.Workspaces.TryGetValue(workspace, out var space))
        {
            throw new KeyNotFoundException($"Tenant '{tenant}' has no workspace '{workspace}'; its workspaces are: {string.Join(", ", definition.Workspaces.Keys)}.");
        }

        return (definition, space);
    }

    private static FrozenDictionary<TKey, TValue> Unique<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> entries, IEqualityComparer<TKey> comparer, string what)
        where TKey : notnull
    {
        var map = new Dictionary<TKey, TValue>(comparer);
        foreach (var (key, value) in entries)
        {
            if (!map.TryAdd(key, value))
            {
                throw new ArgumentException($"The {what} '{key}' is bound twice ({map[key]} and {value}); each may belong to one tenant only.", nameof(entries));
            }
        }

        return map.ToFrozenDictionary(comparer);
    }

    private static TimeSpan? Seconds(long? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    private static FrozenDictionary<string, T> MergeLowestWins<T>(IEnumerable<IReadOnlyDictionary<string, T>?> lowestFirst)
    {
        var merged = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var level in lowestFirst)
        {
            foreach (var (key, value) in level ?? FrozenDictionary<string, T>.Empty)
            {
                merged.TryAdd(key, value);
            }
        }

        return merged.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
