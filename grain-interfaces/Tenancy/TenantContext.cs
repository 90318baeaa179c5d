namespace OrleansTenancy.Tenancy;

/// <summary>
/// The (tenant, workspace) on whose behalf a call runs. It travels explicitly on grain requests and
/// ambiently through async flows.
/// </summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Workspace">The workspace key within the tenant.</param>
public readonly partial record struct TenantContext(string Tenant, string Workspace)
{
    /// <summary>The non-strict fallback context, <c>default:main</c>.</summary>
    public static TenantContext Default { get; } = new("default", "main");

    /// <inheritdoc />
    public override string ToString() => $"{Tenant}:{Workspace}";
}
