using Domain = OrleansTenancy.Tenancy;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Mapping;

/// <summary>Maps the tenant context between the grain contract and the domain (see <see cref="BudgetMapping"/>).</summary>
public static class ContextMapping
{
    /// <summary>The domain's context, which checks both parts.</summary>
    /// <exception cref="ArgumentException">A part is blank or holds <c>':'</c>; the message names the part.</exception>
    public static Domain.TenantContext ToDomain(this Wire.TenantContext context) => new(context.Tenant, context.Workspace);

    /// <summary>The context as it crosses grains.</summary>
    public static Wire.TenantContext ToWire(this Domain.TenantContext context) => new(context.Tenant, context.Workspace);
}
