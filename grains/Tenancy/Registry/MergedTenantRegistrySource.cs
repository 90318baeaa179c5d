namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// The registry a silo serves: the tenants of the folder (<paramref name="yaml"/>, which reloads on its own) merged with
/// the runtime tenants of the newest directory version this silo has applied (<see cref="RuntimeTenants.Merge"/>).
/// </summary>
/// <param name="yaml">The registry of the tenants folder.</param>
public sealed class MergedTenantRegistrySource(ITenantRegistrySource yaml) : ITenantRegistrySource
{
    private readonly ITenantRegistrySource _yaml = yaml ?? throw new ArgumentNullException(nameof(yaml));
    private Snapshot _snapshot = new(null, [], -1, null);

    /// <summary>The registry of the tenants folder alone.</summary>
    public TenantRegistry Yaml => _yaml.Current;

    /// <summary>The directory version applied last; -1 before the first.</summary>
    public long Version => Volatile.Read(ref _snapshot).Version;

    /// <inheritdoc />
    /// <remarks>Merged once per folder snapshot and directory version; every later read returns the same instance.</remarks>
    public TenantRegistry Current
    {
        get
        {
            var yamlNow = _yaml.Current;
            var snapshot = Volatile.Read(ref _snapshot);
            if (snapshot.Merged is { } merged && ReferenceEquals(snapshot.Yaml, yamlNow))
            {
                return merged;
            }

            var next = snapshot with { Yaml = yamlNow, Merged = RuntimeTenants.Merge(yamlNow, snapshot.Runtime) };
            return Interlocked.CompareExchange(ref _snapshot, next, snapshot) == snapshot ? next.Merged! : Current;
        }
    }

    /// <summary>
    /// Serves the runtime tenants of directory version <paramref name="version"/>; an older or equal version than the one
    /// served is ignored (pushes and polls may arrive out of order).
    /// </summary>
    /// <returns>Whether the version was newer and is now served.</returns>
    public bool Apply(long version, IReadOnlyCollection<RuntimeTenant> tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        while (true)
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (version <= snapshot.Version)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _snapshot, new Snapshot(null, tenants, version, null), snapshot) == snapshot)
            {
                return true;
            }
        }
    }

    private sealed record Snapshot(TenantRegistry? Yaml, IReadOnlyCollection<RuntimeTenant> Runtime, long Version, TenantRegistry? Merged);
}
