using OrleansTenancy.Grains.Tenants.Directory;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Mapping;

/// <summary>Where the runtime tenants of the directory contract, of its stored state and of the registry meet.</summary>
public static class DirectoryMapping
{
    /// <summary>A definition as the registry's rules check it.</summary>
    public static RuntimeTenant ToDomain(this Wire.TenantDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new RuntimeTenant(definition.Id, definition.Name, [.. definition.Workspaces ?? []], definition.Budget?.ToDomain());
    }

    /// <summary>A stored tenant as the registry merges it.</summary>
    public static RuntimeTenant ToDomain(this StoredTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new RuntimeTenant(tenant.Id, tenant.Name, tenant.Workspaces, tenant.Budget);
    }

    /// <summary>A stored tenant as it crosses grains.</summary>
    public static Wire.RegisteredTenant ToWire(this StoredTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new Wire.RegisteredTenant
        {
            Definition = new Wire.TenantDefinition
            {
                Id = tenant.Id,
                Name = tenant.Name,
                Workspaces = [.. tenant.Workspaces],
                Budget = tenant.Budget?.ToWire(),
            },
            Source = Wire.TenantSource.Runtime,
            CreatedAt = tenant.CreatedAt,
            UpdatedAt = tenant.UpdatedAt,
        };
    }

    /// <summary>A tenant of the folder as it crosses grains (its name, workspaces and own limits), stamped <paramref name="now"/>.</summary>
    public static Wire.RegisteredTenant ToWire(this TenantDefinition tenant, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new Wire.RegisteredTenant
        {
            Definition = new Wire.TenantDefinition
            {
                Id = tenant.Slug,
                Name = tenant.DisplayName,
                Workspaces = [.. tenant.Workspaces.Keys.Order(StringComparer.Ordinal)],
                Budget = tenant.Budgets.ToWire(),
            },
            Source = tenant.Origin == TenantOrigin.Runtime ? Wire.TenantSource.Runtime : Wire.TenantSource.Yaml,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>A snapshot of the directory as the registry merges it.</summary>
    public static IReadOnlyCollection<RuntimeTenant> ToDomain(this Wire.TenantDirectorySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return [.. snapshot.Tenants.Select(t => t.Definition.ToDomain())];
    }
}
