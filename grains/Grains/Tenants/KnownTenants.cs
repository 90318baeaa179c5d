using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>The check that a call from outside the silo names a tenant (and workspace) the registry holds.</summary>
public static class KnownTenants
{
    /// <summary>
    /// The definition of <paramref name="tenant"/>, after checking that the registry holds it and, when given,
    /// <paramref name="workspace"/>.
    /// </summary>
    /// <exception cref="Wire.UnknownTenantException">It does not; the message names the id and what to do.</exception>
    public static TenantDefinition Require(this TenantRegistry registry, string tenant, string? workspace = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var definition = registry.Find(tenant);
        if (registry.ExplainUnknown(tenant, workspace) is { } unknown)
        {
            throw new Wire.UnknownTenantException(tenant, definition is null ? null : workspace, unknown);
        }

        return definition!;
    }
}
