using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;

namespace OrleansTenancy.Client.Tests;

/// <summary>The client's options: defaults, binding, validation naming the setting, and the effective settings logged.</summary>
public sealed class ClientOptionsTests
{
    [Fact]
    public void The_defaults_reach_the_embedded_silos_gateway_with_its_ids()
    {
        var options = new TenancyClientOptions();

        Assert.Equal(TenancyClientMembership.StaticGateways, options.Membership);
        Assert.Equal(["127.0.0.1:30000"], options.EffectiveGateways);
        Assert.Equal(("orleans-tenancy", "orleans-tenancy"), (options.ClusterId, options.ServiceId));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)), (options.GatewayListRefreshPeriod, options.ResponseTimeout));
        Assert.Equal((3, TimeSpan.FromMilliseconds(200)), (options.RetryAttempts, options.RetryDelay));
        Assert.True(new TenancyClientOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Gateways", "localhost", "TenancyClient:Gateways holds 'localhost'")]
    [InlineData("Gateways", "127.0.0.1:70000", "TenancyClient:Gateways holds '127.0.0.1:70000'")]
    [InlineData("Membership", "Redis", "TenancyClient:RedisConnectionString is required")]
    [InlineData("Membership", "Postgres", "TenancyClient:PostgresConnectionString is required")]
    [InlineData("ClusterId", " ", "TenancyClient:ClusterId must not be empty")]
    [InlineData("ResponseTimeout", "00:00:00", "TenancyClient:ResponseTimeout is 00:00:00")]
    [InlineData("GatewayListRefreshPeriod", "01:00:00", "TenancyClient:GatewayListRefreshPeriod is 01:00:00")]
    [InlineData("RetryAttempts", "11", "TenancyClient:RetryAttempts is 11")]
    [InlineData("RetryDelay", "00:00:00", "TenancyClient:RetryDelay is 00:00:00")]
    public void A_setting_out_of_range_stops_the_service_as_the_client_is_added_naming_it(string setting, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"TenancyClient:{setting}" + (setting == "Gateways" ? ":0" : "")] = value,
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansTenancyClient());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_bind_from_the_TenancyClient_section_and_the_delegate_has_the_last_word()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TenancyClient:Gateways:0"] = "127.0.0.1:30001",
            ["TenancyClient:Gateways:1"] = "localhost:30002",
            ["TenancyClient:ClusterId"] = "blue",
            ["TenancyClient:RetryAttempts"] = "5",
        });

        builder.AddOrleansTenancyClient(o => o.ServiceId = "tenancy-prod");
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<TenancyClientOptions>>().Value;
        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        var gateways = host.Services.GetRequiredService<IOptions<StaticGatewayListProviderOptions>>().Value;

        Assert.Equal(["127.0.0.1:30001", "localhost:30002"], options.EffectiveGateways);
        Assert.Equal(("blue", "tenancy-prod", 5), (options.ClusterId, options.ServiceId, options.RetryAttempts));
        Assert.Equal(("blue", "tenancy-prod"), (cluster.ClusterId, cluster.ServiceId));
        Assert.Equal(["gwy.tcp://127.0.0.1:30001/0", "gwy.tcp://127.0.0.1:30002/0"], gateways.Gateways.Select(g => g.ToString()));
    }

    [Fact]
    public void Redis_membership_takes_the_gateway_list_from_the_silos_membership_table()
    {
        var services = new ServiceCollection();

        services.AddOrleansTenancyClient(o =>
        {
            o.Membership = TenancyClientMembership.Redis;
            o.RedisConnectionString = "127.0.0.1:56379";
        });

        Assert.Contains(services, s => s.ServiceType == typeof(IGatewayListProvider) && s.ImplementationType?.Name == "RedisGatewayListProvider");
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IGatewayListProvider) && s.ImplementationType?.Name == "StaticGatewayListProvider");
    }

    [Fact]
    public void Postgres_membership_takes_the_gateway_list_from_the_silos_membership_table_through_Npgsql()
    {
        var services = new ServiceCollection();

        services.AddOrleansTenancyClient(o =>
        {
            o.Membership = TenancyClientMembership.Postgres;
            o.PostgresConnectionString = "Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy";
        });
        using var provider = services.BuildServiceProvider();
        var adoNet = provider.GetRequiredService<IOptions<Orleans.Configuration.AdoNetClusteringClientOptions>>().Value;

        Assert.Contains(services, s => s.ServiceType == typeof(IGatewayListProvider) && s.ImplementationType?.Name == "AdoNetGatewayListProvider");
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IGatewayListProvider) && s.ImplementationType?.Name == "StaticGatewayListProvider");
        Assert.Equal(("Npgsql", "Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy"), (adoNet.Invariant, adoNet.ConnectionString));
    }

    [Fact]
    public void A_Postgres_connection_string_without_a_host_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddOrleansTenancyClient(o =>
        {
            o.Membership = TenancyClientMembership.Postgres;
            o.PostgresConnectionString = "Database=tenancy";
        }));

        Assert.Contains("TenancyClient:PostgresConnectionString is not an Npgsql connection string with a host", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TenancyClientMembership.Redis, "127.0.0.1:1,password=s3cret", "RedisConnectionString")]
    [InlineData(TenancyClientMembership.Postgres, "Host=127.0.0.1;Port=1;Username=tenancy;Password=s3cret;Database=tenancy", "PostgresConnectionString")]
    public async Task The_effective_settings_are_logged_at_start_with_connection_strings_redacted(
        TenancyClientMembership membership, string connectionString, string setting)
    {
        var logs = new ListLogger();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.AddOrleansTenancyClient(o =>
        {
            o.Membership = membership;
            o.RedisConnectionString = membership == TenancyClientMembership.Redis ? connectionString : null;
            o.PostgresConnectionString = membership == TenancyClientMembership.Postgres ? connectionString : null;
        });
        using var host = builder.Build();

        // Only the report: the Orleans client itself would try to reach a server that is not there.
        foreach (var service in host.Services.GetServices<IHostedService>().Where(s => s.GetType().Name == "TenancyClientStartupReport"))
        {
            await service.StartAsync(CancellationToken.None);
        }

        var line = Assert.Single(logs.Lines, l => l.Contains("OrleansTenancy client settings", StringComparison.Ordinal));
        Assert.Contains($"Membership={membership}", line, StringComparison.Ordinal);
        Assert.Contains($"{setting}=<redacted>", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", line, StringComparison.Ordinal);
    }

    private sealed class ListLogger : ILoggerProvider, ILogger
    {
        public List<string> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
