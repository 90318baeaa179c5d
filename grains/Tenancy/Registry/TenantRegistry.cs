using System.Collections.Concurrent;
using System.Collections.Frozen;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Rates;
using OrleansTenancy.Tenancy.Registry.Parsing;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// An immutable snapshot of every loaded tenant, with constant-time guild and API-key resolution and the
/// merge rules that turn global, tenant and workspace settings into effective routing, limits and policy.
/// Reloading produces a new snapshot; readers holding the old one are never disturbed.
/// </summary>
public sealed class TenantRegistry
{
    private readonly FrozenDictionary<string, TenantDefinition> _tenants;
    private readonly TenantDefinition[] _ordered;
    private readonly FrozenDictionary<ulong, TenantContext> _guilds;
    private readonly FrozenDictionary<string, ApiKeyBinding> _apiKeys;
    private TenantClaims? _claims;
    private string? _contentHash;

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

    /// <summary>
    /// A fingerprint of the loaded content (16 hex digits): two silos given the same tenants have the same one, whatever
    /// the folder's location, file order, modification times or comments; any change to a tenant, workspace, limit, key
    /// or global default changes it. Problems are not part of it.
    /// </summary>
    public string ContentHash => _contentHash ??= RegistryContentHash.Of(_ordered, Global);

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
        _policies.GetOrAdd(context, static (key, registry) => registry.MergePolicy(key.Tenant, key.Workspace), this);

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
    /// Effective budget limits of a tenant, or of one of its workspaces (<see cref="BudgetLimitsMerge.Effective"/>):
    /// each field comes from the workspace, else the tenant — where <paramref name="runtimeOverride"/> lies over the
    /// tenant's files — else (when <c>inherit_global</c>, default true) the global defaults.
    /// </summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="workspace">A workspace key, or <see langword="null"/> for the tenant-wide limits.</param>
    /// <param name="runtimeOverride">The tenant's runtime override (<c>PUT /admin/tenants/{tenant}/budget</c>), if any.</param>
    /// <exception cref="KeyNotFoundException">The tenant or workspace is not registered.</exception>
    public BudgetLimits GetEffectiveLimits(string tenant, string? workspace = null, BudgetLimits? runtimeOverride = null)
    {
        var (definition, space) = Lookup(tenant, workspace);
        return BudgetLimitsMerge.Effective(space?.Budgets, BudgetLimitsMerge.Overlay(runtimeOverride, definition.Budgets), Global.Budgets);
    }

    /// <summary>Effective limits for a context (see <see cref="GetEffectiveLimits(string, string?, BudgetLimits?)"/>).</summary>
    public BudgetLimits GetEffectiveLimits(TenantContext context) => GetEffectiveLimits(context.Tenant, context.Workspace);

    /// <summary>
    /// Everything the tenant's budget decides on: its effective limits and those of every workspace with limits of its
    /// own (sub-caps), each with <paramref name="runtimeOverride"/> in the tenant's place; the reservation TTL of the
    /// tenant and of each workspace that sets one; the rate limits likewise; the time zone.
    /// </summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="runtimeOverride">The tenant's runtime override, if any.</param>
    /// <exception cref="KeyNotFoundException">The tenant is not registered.</exception>
    public BudgetRules GetBudgetRules(string tenant, BudgetLimits? runtimeOverride)
    {
        var (definition, _) = Lookup(tenant, null);
        var subCaps = definition.Workspaces.Values
            .Where(w => BudgetLimitsMerge.SetsAnyLimit(w.Budgets))
            .ToDictionary(w => w.Key, w => GetEffectiveLimits(tenant, w.Key, runtimeOverride), StringComparer.Ordinal);
        var ttls = definition.Workspaces.Values
            .Where(w => w.Policy.ReservationTtlSeconds is not null)
            .ToDictionary(w => w.Key, w => MergePolicy(tenant, w.Key).ReservationTtl, StringComparer.Ordinal);
        var rates = definition.Workspaces.Values
            .Where(w => w.Policy.RequestsPerMinute is not null || w.Policy.TokensPerMinute is not null)
            .ToDictionary(w => w.Key, w => RatesOf(MergePolicy(tenant, w.Key)), StringComparer.Ordinal);
        var own = MergePolicy(tenant, null);
        return new BudgetRules(
            GetEffectiveLimits(tenant, null, runtimeOverride),
            definition.TimeZone,
            subCaps.Count == 0 ? null : subCaps,
            own.ReservationTtl,
            ttls.Count == 0 ? null : ttls,
            RatesOf(own),
            rates.Count == 0 ? null : rates);

        static RateLimits RatesOf(EffectivePolicy policy) => new(policy.RequestsPerMinute, policy.TokensPerMinute);
    }

    /// <summary>The policy of a workspace, or the tenant's own (<paramref name="workspaceKey"/> <see langword="null"/>).</summary>
    private EffectivePolicy MergePolicy(string tenantSlug, string? workspaceKey)
    {
        var (tenant, workspace) = Lookup(tenantSlug, workspaceKey);
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

    /// <summary>
    /// Why a call for <paramref name="tenant"/> (and <paramref name="workspace"/>, when given) cannot be served: a
    /// sentence naming the id the registry does not hold and what to do, or <see langword="null"/> when both are known.
    /// The one wording of that refusal, wherever a tenant id arrives.
    /// </summary>
    public string? ExplainUnknown(string tenant, string? workspace = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!_tenants.TryGetValue(tenant, out var definition))
        {
            return $"Tenant '{tenant}' is not in the registry; add tenants/{tenant}/tenant.yaml, register it (POST /admin/tenants) or check the slug.";
        }

        return workspace is null || definition.Workspaces.ContainsKey(workspace)
            ? null
            : $"Tenant '{tenant}' has no workspace '{workspace}'; its workspaces are: {string.Join(", ", definition.Workspaces.Keys)}.";
    }

    private (TenantDefinition Tenant, WorkspaceDefinition? Workspace) Lookup(string tenant, string? workspace)
    {
        if (ExplainUnknown(tenant, workspace) is { } unknown)
        {
            throw new KeyNotFoundException(unknown);
        }

        var definition = _tenants[tenant];
        return (definition, workspace is null ? null : definition.Workspaces[workspace]);
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
