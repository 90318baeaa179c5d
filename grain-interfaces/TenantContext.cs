namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// The (tenant, workspace) on whose behalf a call runs, as it travels on grain calls. The silo checks both parts
/// (non-blank slugs without <c>':'</c>) when it receives them; an invalid context is refused with an
/// <see cref="ArgumentException"/> naming the part.
/// </summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Workspace">The workspace key within the tenant.</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.TenantContext")]
public readonly record struct TenantContext(string Tenant, string Workspace)
{
    /// <summary>The <c>tenant:workspace</c> form.</summary>
    public override string ToString() => $"{Tenant}:{Workspace}";
}
