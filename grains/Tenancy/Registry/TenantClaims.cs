namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// Which tenant holds each Discord guild and API-key hash. When two tenants claim one, the holder keeps it: on a
/// reload the previous snapshot says who holds what, and on a start the claims the silo remembered from its last run do
/// (a claim nobody held goes to neither claimant). So a start and a reload of the same folder decide the same.
/// </summary>
public sealed record TenantClaims
{
    /// <summary>No claims: every contested guild and key goes to neither claimant.</summary>
    public static TenantClaims Empty { get; } = new(new Dictionary<ulong, string>(), new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Creates claims from guild → tenant and API-key hash → tenant maps.</summary>
    public TenantClaims(IReadOnlyDictionary<ulong, string> guilds, IReadOnlyDictionary<string, string> apiKeys)
    {
        ArgumentNullException.ThrowIfNull(guilds);
        ArgumentNullException.ThrowIfNull(apiKeys);
        Guilds = guilds;
        ApiKeys = new Dictionary<string, string>(apiKeys, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The tenant slug holding each guild.</summary>
    public IReadOnlyDictionary<ulong, string> Guilds { get; }

    /// <summary>The tenant slug holding each API-key hash (hex SHA-256, any case).</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; }

    /// <summary>The claims of <paramref name="tenants"/>, which must not contest any guild or key.</summary>
    public static TenantClaims Of(IEnumerable<TenantDefinition> tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        var guilds = new Dictionary<ulong, string>();
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tenant in tenants)
        {
            foreach (var guild in tenant.Workspaces.Values.SelectMany(w => w.GuildIds))
            {
                guilds[guild] = tenant.Slug;
            }

            foreach (var key in tenant.ApiKeys)
            {
                keys[key.Sha256] = tenant.Slug;
            }
        }

        return new TenantClaims(guilds, keys);
    }

    /// <inheritdoc />
    public bool Equals(TenantClaims? other) =>
        other is not null
        && Guilds.Count == other.Guilds.Count && Guilds.All(g => other.Guilds.TryGetValue(g.Key, out var slug) && slug == g.Value)
        && ApiKeys.Count == other.ApiKeys.Count && ApiKeys.All(k => other.ApiKeys.TryGetValue(k.Key, out var slug) && slug == k.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Guilds.Count, ApiKeys.Count);
}
