using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Alerts;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy.Alerts;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>
/// Budget alerts through the tenant grain on two silos, on the test clock: each threshold is sent once even when the
/// grain moves to the other silo, and a webhook that keeps failing is retried after the backoff, then recorded as failed.
/// </summary>
public sealed class TenantGrainAlertTests : IAsyncLifetime
{
    private const string Webhook = "https://hooks.example.test/services/T0SECRET/B0SECRET/hookSECRET";
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
    private readonly string _ledgerFile = Path.Combine(Path.GetTempPath(), "alerts-ledger-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly TenantsFolder _tenants = new();
    private readonly TestClock _time = new();
    private readonly RecordingAlertSender _sender = new();
    private SqliteUsageLedger _ledger = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _ledger = new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = _ledgerFile });
        _cluster = await TestClusters.StartAsync(2, _time, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(_tenants);
            silo.Services.AddSingleton<IUsageLedger>(_ledger);
            silo.AddTestGrainStorage();
            silo.Services.AddSingleton<IAlertSender>(_sender);
            silo.Services.AddOptions<AlertDeliveryOptions>().Configure(o =>
            {
                o.Webhooks = [new WebhookSetting { Url = Webhook, Format = "slack" }];
                o.MaxAttempts = 3;
                o.FirstRetryDelay = FirstRetry;
                o.MaxRetryDelay = TimeSpan.FromMinutes(1);
            });
            silo.Services.AddSingleton<AlertDispatcher>();
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _ledger.Dispose();
        _tenants.Dispose();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_ledgerFile)!, Path.GetFileName(_ledgerFile) + "*"))
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_threshold_is_sent_once_though_the_grain_moves_to_the_other_silo_and_the_next_one_goes_out_from_there()
    {
        var slug = _tenants.AddTenant("daily_cap_usd: 1\nenforcement: soft\n");
        var grain = _cluster.Client.GetGrain<ITenantGrain>(slug);
        var day = _time.GetUtcNow().ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

        Assert.True((await grain.ReserveAsync(Reserve("a", 0.6m))).IsGranted);
        await _sender.WhenAttempts(1);
        var delivered = Assert.Single(await grain.GetAlertsAsync());
        Assert.Equal($"{slug}/*/daily_cap_usd/{day}/50", delivered.Key);
        Assert.Equal(("delivered", 1), (Assert.Single(delivered.Deliveries).Status, delivered.Deliveries[0].Attempts));

        // Onto the other silo: the activation there reads the stored outbox and watermark.
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var before = await management.GetActivationAddress(grain);
        var other = _cluster.Silos.Single(s => !s.SiloAddress.Equals(before)).SiloAddress;
        await _cluster.MigrateAsync(grain, other);
        Assert.True((await grain.ReserveAsync(Reserve("b", 0.25m))).IsGranted);
        Assert.Equal(other, await management.GetActivationAddress(grain));

        await _sender.WhenAttempts(2);
        Assert.Equal([$"{slug}/*/daily_cap_usd/{day}/50", $"{slug}/*/daily_cap_usd/{day}/80"], _sender.Keys);
        var alerts = await grain.GetAlertsAsync();
        Assert.Equal([50m, 80m], alerts.Select(a => a.ThresholdPercent));
        Assert.All(alerts, a => Assert.Equal("delivered", Assert.Single(a.Deliveries).Status));
        Assert.All(alerts, a => Assert.DoesNotContain("SECRET", a.Deliveries[0].Webhook, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_after_the_backoff_and_recorded_as_failed_after_the_last_attempt()
    {
        var slug = _tenants.AddTenant("daily_cap_usd: 1\nenforcement: soft\n");
        var grain = _cluster.Client.GetGrain<ITenantGrain>(slug);
        _sender.Refuse = "the receiver answered 503 Service Unavailable";

        // One step across 50, 80 and 100 %: three alerts, each attempted now.
        Assert.True((await grain.ReserveAsync(Reserve("a", 1.2m))).IsGranted);
        await _sender.WhenAttempts(3);
        var pending = await grain.GetAlertsAsync();
        Assert.Equal(3, pending.Count);
        Assert.All(pending, a => Assert.Equal(("pending", 1, _time.GetUtcNow() + FirstRetry), (a.Deliveries[0].Status, a.Deliveries[0].Attempts, a.Deliveries[0].NextAttemptAt!.Value)));
        await WakeListAsync(tenants => tenants.Contains(slug), $"{slug} on the alert wake list while its deliveries are pending");

        // Nothing is sent before the backoff is over; after it, the second attempt; after twice the backoff, the last.
        await _time.WhenTimerArmed(d => d == FirstRetry);
        _time.Advance(FirstRetry - TimeSpan.FromSeconds(1));
        Assert.Equal(3, _sender.Keys.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _sender.WhenAttempts(6);
        await _time.WhenTimerArmed(d => d == 2 * FirstRetry);
        _time.Advance(2 * FirstRetry);
        await _sender.WhenAttempts(9);

        var failed = await grain.GetAlertsAsync();
        Assert.All(failed, a =>
        {
            var delivery = Assert.Single(a.Deliveries);
            Assert.Equal(("failed", 3, "the receiver answered 503 Service Unavailable"), (delivery.Status, delivery.Attempts, delivery.LastError));
            Assert.Null(delivery.NextAttemptAt);
        });

        // Given up: nothing is left to wake the tenant for after a restart.
        await WakeListAsync(tenants => !tenants.Contains(slug), $"{slug} off the alert wake list once every delivery failed");

        // However long the clock runs, no further attempt.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(9, (await grain.GetAlertsAsync()).Sum(a => a.Deliveries[0].Attempts));
        Assert.Equal(9, _sender.Keys.Count);
    }

    /// <summary>Waits until the alert wake list satisfies <paramref name="done"/>: tenants update it behind their deliveries.</summary>
    private Task WakeListAsync(Func<IReadOnlyList<string>, bool> done, string what)
    {
        var list = _cluster.Client.GetGrain<IAlertWakeListGrain>(AlertWakeList.Key);
        IReadOnlyList<string> listed = [];
        return Eventually.UntilAsync(async () => done(listed = await list.ListAsync()), () => $"{what}; listed: {string.Join(", ", listed)}");
    }

    private static ReservationRequest Reserve(string id, decimal usd) =>
        new() { RequestId = id, Workspace = "main", Model = "m", EstimatedCostUsd = usd, EstimatedTokens = 10 };

    /// <summary>Records every attempt, answers each with success or <see cref="Refuse"/>, and lets a test await a count.</summary>
    private sealed class RecordingAlertSender : IAlertSender
    {
        private readonly Lock _gate = new();
        private readonly List<string> _keys = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

        /// <summary>When set, every attempt fails with this reason.</summary>
        public string? Refuse { get; set; }

        public List<string> Keys
        {
            get
            {
                lock (_gate)
                {
                    return [.. _keys];
                }
            }
        }

        public Task<AlertSendResult> SendAsync(AlertNotice notice, AlertWebhook webhook, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _keys.Add(notice.Key);
                foreach (var waiter in _waiters.Where(w => _keys.Count >= w.Count).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Reached.TrySetResult();
                }
            }

            return Task.FromResult(Refuse is { } reason ? AlertSendResult.Failed(reason) : AlertSendResult.Delivered);
        }

        public Task WhenAttempts(int count)
        {
            lock (_gate)
            {
                if (_keys.Count >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }
}
