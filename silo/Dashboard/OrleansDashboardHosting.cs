using Orleans.Dashboard;
using OrleansTenancy.Silo.Hosting;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>
/// Orleans' own dashboard (Microsoft.Orleans.Dashboard: grains, silos, method profiles, reminders) on every silo at
/// <see cref="RoutePrefix"/>, behind the operator rule of the admin API and the tenant dashboard
/// (<see cref="OperatorAccess"/>): the admin key as a Bearer header or a tenant dashboard sign-in for reads; without a
/// configured key, callers on this machine only. Its page, script, styles and fonts are embedded in the package and
/// served by the silo itself.
/// </summary>
public static class OrleansDashboardHosting
{
    /// <summary>Where the Orleans dashboard is served; the tenant dashboard links to it.</summary>
    public const string RoutePrefix = "/dashboard/orleans";

    /// <summary>Adds the dashboard's grain service, profiler and collectors to the silo.</summary>
    public static WebApplicationBuilder AddTenancyOrleansDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseOrleans(silo => silo.AddDashboard());
        return builder;
    }

    /// <summary>Maps the dashboard's page, assets and data endpoints at <see cref="RoutePrefix"/>, each behind the operator rule.</summary>
    public static RouteGroupBuilder MapTenancyOrleansDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var dashboard = app.MapOrleansDashboard(RoutePrefix);
        dashboard.RequireTenancyAdmin().ExcludeFromDescription();
        return dashboard;
    }
}
