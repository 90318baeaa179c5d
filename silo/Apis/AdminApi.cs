using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Apis;

/// <summary>Admin endpoints: what the registry holds and what it refused, budgets, usage and the cluster.</summary>
public static class AdminApi
{
    /// <summary>Maps <c>/admin/*</c>; every route requires the admin key (see <see cref="OperatorAccess"/>).</summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireTenancyAdmin();
        admin.MapGet("/tenants", GetTenants)
            .WithName("ListTenants")
            .WithSummary("Tenants of the tenants folder and runtime tenants (with their source), workspaces, guilds, effective limits and load errors.");
        admin.MapPost("/tenants/reload", ReloadTenants)
            .WithName("ReloadTenants")
            .WithSummary("Re-reads the tenants folder now.");
        admin.MapTenantsApi();
        admin.MapBudgetApi();
        admin.MapUsageApi();
        admin.MapClusterApi();
        return admin;
    }

    /// <summary>Lists the registry.</summary>
    public static TenantsResponse GetTenants(ITenantRegistrySource registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return Describe(registry.Current);
    }

    /// <summary>Reloads the tenants folder and lists the result (with the runtime tenants).</summary>
    public static TenantsResponse ReloadTenants(TenantRegistryService folder, ITenantRegistrySource registry)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(registry);
        folder.Reload();
        return Describe(registry.Current);
    }

    private static TenantsResponse Describe(TenantRegistry registry) => new(
        [.. registry.Tenants.Select(t => new TenantSummary(
            t.Slug,
            t.DisplayName,
            t.Status.ToString().ToLowerInvariant(),
            t.TimeZone.Id,
            registry.GetEffectiveLimits(t.Slug),
            [.. t.Workspaces.Values.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => new WorkspaceSummary(
                w.Key,
                w.DisplayName,
                [.. w.GuildIds.Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                registry.GetEffectiveLimits(t.Slug, w.Key),
                registry.GetRouting(new TenantContext(t.Slug, w.Key)).AllowedModels))],
            TenantsApi.SourceName(t.Origin)))],
        [.. registry.Problems.Select(p => new ProblemSummary(p.File, p.Line, p.Column, p.Severity.ToString().ToLowerInvariant(), p.Message, p.Tenant))]);
}

/// <summary>Body of <c>GET /admin/tenants</c>.</summary>
/// <param name="Tenants">The tenants that loaded.</param>
/// <param name="Errors">Every problem found while loading (errors and warnings).</param>
public sealed record TenantsResponse(IReadOnlyList<TenantSummary> Tenants, IReadOnlyList<ProblemSummary> Errors);

/// <summary>One tenant as the registry holds it; <paramref name="Source"/> is <c>yaml</c> (the tenants folder) or <c>runtime</c> (the tenant directory).</summary>
public sealed record TenantSummary(string Slug, string DisplayName, string Status, string Timezone, BudgetLimits Limits, IReadOnlyList<WorkspaceSummary> Workspaces, string Source);

/// <summary>One workspace with its guilds and effective limits.</summary>
public sealed record WorkspaceSummary(string Key, string DisplayName, IReadOnlyList<string> Guilds, BudgetLimits Limits, IReadOnlyList<string> AllowedModels);

/// <summary>A load problem.</summary>
public sealed record ProblemSummary(string File, int Line, int Column, string Severity, string Message, string? Tenant);
