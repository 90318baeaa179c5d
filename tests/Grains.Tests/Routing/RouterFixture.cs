using System.Diagnostics.Metrics;
using OrleansTenancy.GrainInterfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Ledger;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.OpenRouter.Simulator;
using Orleans.TestingHost;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>
/// Two silos with the product grains, a real SQLite ledger, the OpenRouter simulator as upstream (real HTTP), and a
/// way to build routers with chosen settings (strict mode) and their own metrics.
/// </summary>
public sealed class RouterFixture : IAsyncLifetime
{
    private readonly string _ledgerFile = Path.Combine(Path.GetTempPath(), "router-ledger-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly HttpClient _http = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<BackgroundSettlements> _settlements = [];
    private readonly string _outboxes = Path.Combine(Path.GetTempPath(), "router-outboxes-" + Guid.NewGuid().ToString("N"));

    public SimulatorHost Simulator { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public TenantsFolder Tenants { get; } = new();

    public IUsageLedger Ledger { get; private set; } = null!;

    public TestClock Time { get; } = new();

    /// <summary>The grains' storage (in memory), whose writes a test may hold or fail.</summary>
    public StorageControl Storage { get; } = new();

    public async Task InitializeAsync()
    {
        Simulator = await OpenRouterSimulator.StartAsync();
        Ledger = new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = _ledgerFile });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Simulator.ClientSettings()).Build();
        Cluster = await TestClusters.StartAsync(2, Time, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(Tenants);
            silo.Services.AddSingleton(Ledger);
            silo.Services.AddSingleton<ISettlementOutbox>(_ => Outbox());
            silo.Services.AddLlmRouter(configuration);
            silo.AddTestGrainStorage(Storage);
        });
    }

    /// <summary>
    /// A router with its own metrics instance (observe it with <see cref="MetricsProbe"/>); each router stands for one
    /// silo. With <paramref name="onSilo"/>, it calls grains as that silo's own routers do (through the silo's grain
    /// factory), else through the cluster client.
    /// </summary>
    public (LlmRouter Router, LlmMetrics Metrics) Router(bool strict = false, int? onSilo = null)
    {
        var silo = Silo(strict, onSilo: onSilo);
        return (silo.Router, silo.Metrics);
    }

    /// <summary>
    /// A router as <see cref="Router"/> makes it, with the settlements it sends behind its answers;
    /// <paramref name="settlementClock"/> paces their retries (the grains' clock when not given), and
    /// <paramref name="outbox"/> keeps those that fail (a folder of its own when not given).
    /// </summary>
    public RouterSilo Silo(bool strict = false, TimeProvider? settlementClock = null, ISettlementOutbox? outbox = null, int? onSilo = null)
    {
        var grains = onSilo is { } index ? Cluster.Silos[index].ServiceProvider.GetRequiredService<IGrainFactory>() : Cluster.Client;
        var metrics = new LlmMetrics();
        var upstream = new OpenRouterClient(_http, new OpenRouterOptions { BaseUrl = Simulator.BaseUrl, ApiKey = "sk-or-test", MaxRetries = 0 });
        var settlements = new BackgroundSettlements(
            pending => Cluster.Client.GetGrain<ITenantGrain>(pending.Tenant).SettleAsync(pending.Settlement, pending.Details),
            outbox ?? Outbox(),
            settlementClock ?? Time,
            NullLogger<BackgroundSettlements>.Instance);
        _settlements.Add(settlements);
        var router = new LlmRouter(
            grains,
            Tenants,
            new PriceCatalogHolder(PriceCatalog.LoadEmbedded()),
            upstream,
            Options.Create(new TenancyOptions { Strict = strict }),
            settlements,
            metrics,
            new GrainCallRetry(new GrainCallRetryOptions(), Time, NullLogger<GrainCallRetry>.Instance),
            Time,
            NullLogger<LlmRouter>.Instance);
        return new RouterSilo(router, metrics, settlements);
    }

    /// <summary>
    /// Waits until the settlements of every call that returned have been stored. A call's answer goes out once its
    /// settlement is sent, and Orleans does not promise that a later call reaches the tenant grain after it, so a test
    /// that reads counters or ledger rows waits for them first.
    /// </summary>
    public async Task SettledAsync()
    {
        foreach (var settlements in _settlements)
        {
            await settlements.DrainAsync();
        }
    }

    /// <summary>A settlement outbox in a folder of its own, as each silo has.</summary>
    public FileSettlementOutbox Outbox() =>
        new(Path.Combine(_outboxes, Guid.NewGuid().ToString("N")), NullLogger<FileSettlementOutbox>.Instance);

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Simulator.DisposeAsync();
        (Ledger as IDisposable)?.Dispose();
        _http.Dispose();
        Tenants.Dispose();
        if (Directory.Exists(_outboxes))
        {
            Directory.Delete(_outboxes, recursive: true);
        }

        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_ledgerFile)!, Path.GetFileName(_ledgerFile) + "*"))
        {
            File.Delete(file);
        }
    }
}

/// <summary>What one silo's routing path is made of in these tests.</summary>
public sealed record RouterSilo(LlmRouter Router, LlmMetrics Metrics, BackgroundSettlements Settlements);

/// <summary>Collects the measurements of one <see cref="LlmMetrics"/> instance.</summary>
public sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, double Value, Dictionary<string, string?> Tags)> _measurements = [];

    public MetricsProbe(LlmMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<(string Name, double Value, Dictionary<string, string?> Tags)> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }
    }

    public IEnumerable<Dictionary<string, string?>> Tags(string name) => Measurements.Where(m => m.Name == name).Select(m => m.Tags);

    public double Sum(string name) => Measurements.Where(m => m.Name == name).Sum(m => m.Value);

    private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            _measurements.Add((name, value, copy));
        }
    }

    public void Dispose() => _listener.Dispose();
}
