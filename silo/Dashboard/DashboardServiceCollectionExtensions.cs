using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>Registers the tenant dashboard's services.</summary>
public static partial class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard's options (section <c>Dashboard</c>, validated at start), sign-in sessions and the refusal
    /// record. Map the endpoints with <see cref="DashboardEndpoints.MapDashboard"/>; the silos panel reads
    /// <c>GET /admin/cluster</c>.
    /// </summary>
    public static IServiceCollection AddTenancyDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DashboardSessions>();
        services.AddSingleton<RecentRefusals>();
        services.AddHostedService<StartupReport>();
        return services;
    }

    /// <summary>Logs the dashboard's effective settings once the host has started.</summary>
    private sealed partial class StartupReport(IOptions<DashboardOptions> options, ILogger<StartupReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogSettings(logger, options.Value.ToString());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard settings: {Settings}; page at /dashboard")]
        private static partial void LogSettings(ILogger logger, string settings);
    }
}
