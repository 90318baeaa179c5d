using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansTenancy.Client;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the OrleansTenancy cluster client to a service's host.</summary>
public static partial class TenancyClientServiceCollectionExtensions
{
    /// <summary>The ADO.NET invariant name under which Orleans' clustering provider loads Npgsql.</summary>
    private const string NpgsqlInvariant = "Npgsql";

    /// <summary>
    /// Adds an Orleans client connected to the OrleansTenancy cluster and <see cref="TenancyClient"/>, its typed,
    /// tenant-scoped entry point. With no <paramref name="configure"/>, the client uses the embedded silo's gateway,
    /// <c>127.0.0.1:30000</c>.
    /// </summary>
    /// <param name="services">The service's services; they must not already hold an Orleans client or silo.</param>
    /// <param name="configure">Sets <see cref="TenancyClientOptions"/> (membership, gateways, ids, timeouts, retries).</param>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it.</exception>
    public static IServiceCollection AddOrleansTenancyClient(this IServiceCollection services, Action<TenancyClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new TenancyClientOptions();
        configure?.Invoke(options);
        return services.AddTenancyClient(options);
    }

    /// <summary>
    /// Adds the cluster client (see <see cref="AddOrleansTenancyClient(IServiceCollection, Action{TenancyClientOptions}?)"/>)
    /// with <see cref="TenancyClientOptions"/> bound from the <c>TenancyClient</c> configuration section, then
    /// <paramref name="configure"/>.
    /// </summary>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it.</exception>
    public static IHostApplicationBuilder AddOrleansTenancyClient(this IHostApplicationBuilder builder, Action<TenancyClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new TenancyClientOptions();
        builder.Configuration.GetSection(TenancyClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        builder.Services.AddTenancyClient(options);
        return builder;
    }

    private static IServiceCollection AddTenancyClient(this IServiceCollection services, TenancyClientOptions options)
    {
        // Orleans' clustering is chosen while services are added, so the options are checked now, not at first use.
        var validation = new TenancyClientOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(TenancyClientOptions.SectionName, typeof(TenancyClientOptions), validation.Failures);
        }

        services.AddSingleton(Options.Options.Create(options));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TenancyClient>();
        services.AddHostedService<TenancyClientStartupReport>();
        services.AddOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.GatewayListRefreshPeriod);
            client.Configure<ClientMessagingOptions>(o =>
            {
                o.ResponseTimeout = options.ResponseTimeout;

                // A chat call that times out (or is cancelled) is cancelled on the silo as well, which settles it.
                o.CancelRequestOnTimeout = true;
            });
            switch (options.Membership)
            {
                case TenancyClientMembership.Redis:
                    client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(options.RedisConnectionString!));
                    break;
                case TenancyClientMembership.Postgres:
                    // Orleans' ADO.NET provider finds Npgsql by its invariant name and runs the silos' own statements
                    // (GatewaysQueryKey of deploy/sql/postgresql/003-cluster-membership.sql).
                    client.UseAdoNetClustering(o =>
                    {
                        o.Invariant = NpgsqlInvariant;
                        o.ConnectionString = options.PostgresConnectionString;
                    });
                    break;
                default:
                    // Resolved when the client starts (names such as a compose service's may not resolve before).
                    client.UseStaticClustering(o => o.Configure(gateways => gateways.Gateways = [.. options.EffectiveGateways.Select(ResolveGateway)]));
                    break;
            }
        });
        return services;
    }

    private static Uri ResolveGateway(string gateway)
    {
        if (!TenancyClientOptionsValidator.TryParseGateway(gateway, out var host, out var port))
        {
            throw new InvalidOperationException($"{TenancyClientOptions.SectionName}:Gateways holds '{gateway}', which is not host:port.");
        }

        var address = IPAddress.TryParse(host, out var parsed)
            ? parsed
            : Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
              ?? throw new InvalidOperationException($"{TenancyClientOptions.SectionName}:Gateways holds '{gateway}', whose host resolves to no address.");
        return new IPEndPoint(address, port).ToGatewayUri();
    }

    /// <summary>Logs the client's effective options (connection strings redacted) when the host starts.</summary>
    private sealed partial class TenancyClientStartupReport(IOptions<TenancyClientOptions> options, ILogger<TenancyClient> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogSettings(logger, options.Value.ToString());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "OrleansTenancy client settings: {Settings}")]
        private static partial void LogSettings(ILogger logger, string settings);
    }
}
