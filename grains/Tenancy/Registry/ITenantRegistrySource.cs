namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// Where services read the current tenant registry snapshot from. Snapshots are immutable; a reload
/// swaps in a new one, so a caller that reads <see cref="Current"/> once sees one consistent registry.
/// </summary>
public interface ITenantRegistrySource
{
    /// <summary>The newest successfully loaded registry.</summary>
    TenantRegistry Current { get; }
}

/// <summary>A registry source over a fixed snapshot (tests, one-shot tools).</summary>
/// <param name="registry">The snapshot to serve.</param>
public sealed class FixedTenantRegistrySource(TenantRegistry registry) : ITenantRegistrySource
{
    /// <inheritdoc />
    public TenantRegistry Current { get; } = registry ?? throw new ArgumentNullException(nameof(registry));
}
