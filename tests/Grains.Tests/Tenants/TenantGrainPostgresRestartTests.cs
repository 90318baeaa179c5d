using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Ledger;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy.Registry;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>
/// Budget failure row 6: spend must not be lost when the database goes away mid-load. A PostgreSQL server of this test's
/// own (port 55433, so the shared test server is not disturbed) is restarted while reserve/settle flows run; callers
/// that saw a failure retry with the same request id, as a router does (each pooled connection broken by the restart
/// fails once, so a caller may need as many retries as the pool has connections).
/// </summary>
[RequiresPostgres]
public sealed class TenantGrainPostgresRestartTests : IDisposable
{
    private const int Port = 55433;
    private static readonly string DataDirectory = Path.Combine(Path.GetTempPath(), "orleans-tenancy-pg-restart");
    private readonly TenantsFolder _tenants = new();

    public void Dispose()
    {
        _tenants.Dispose();
        Server("stop");
    }

    [StoreFact]
    public async Task A_database_restart_mid_load_loses_no_spend_and_counters_equal_the_ledger()
    {
        Server("start");
        var connectionString = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Maximum Pool Size=20";
        var slug = _tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        await using var cluster = await TestClusters.StartAsync(1, TimeProvider.System, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(_tenants);
            silo.AddPostgresGrainStorageAsDefault(connectionString);
            silo.Services.AddPostgresUsageLedger(o => o.ConnectionString = connectionString);
        });
        var grain = cluster.Client.GetGrain<ITenantGrain>(slug);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = 0;
        var failuresSeen = 0;
        var settled = 0m;
        var gate = new Lock();

        async Task<T> Retrying<T>(Func<Task<T>> call)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await call();
                }
                catch (Exception) when (attempt < 25)
                {
                    Interlocked.Increment(ref failuresSeen);
                    await restarted.Task.WaitAsync(TimeSpan.FromSeconds(60));
                }
            }
        }

        async Task Flow(int i)
        {
            var id = $"{slug}-{i}";

            // One call: a reserve retried after a failure that hid its success gets its reservation back.
            var decision = await Retrying(() => grain.ReserveAsync(new ReservationRequest { RequestId = id, Workspace = "main", Model = "m", EstimatedCostUsd = 0.01m, EstimatedTokens = 10, CallToken = i + 1 }));
            if (decision.IsGranted)
            {
                var outcome = await Retrying(() => grain.SettleAsync(new SettleRequest { RequestId = id, ActualCostUsd = 0.005m, PromptTokens = 2, CompletionTokens = 3 }, ExecutionDetails.WithStatus("ok")));
                // AlreadySettled here means an earlier attempt of this settle was stored although its caller saw an error;
                // SettledWithoutReservation, that the grant was covered and the failed write's re-read forgot it: the call
                // is charged all the same, so every outcome that charges counts.
                if (outcome.Changed || outcome.Result is SettleResult.AlreadySettled)
                {
                    lock (gate)
                    {
                        settled += 0.005m;
                    }
                }
            }

            if (Interlocked.Increment(ref completed) == 60)
            {
                halfway.TrySetResult();
            }
        }

        var flows = Enumerable.Range(0, 300).Select(Flow).ToList();
        await halfway.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Server("stop");
        Server("start");
        restarted.TrySetResult();
        await Task.WhenAll(flows).WaitAsync(TimeSpan.FromSeconds(120));

        var report = await Retrying(() => grain.ReconcileAsync());
        var ledger = cluster.Silos[0].ServiceProvider.GetRequiredService<IUsageLedger>();
        var rows = (await ledger.ListExecutionsAsync(slug, 3, null)).Items;
        Assert.False(report.Changed, "counters differ from the ledger after the restart: " + string.Join("; ", report.Counters.Where(c => c.Changed)) + " rows: " + string.Join(", ", rows.Select(r => $"{r.RequestId}@{r.CreatedAt:o}")) + $" failures {failuresSeen}");
        var day = report.Counters.Single(c => c.Workspace is null && c.Period == "day");
        Assert.Equal(settled, day.CostAfter);
        Assert.True(day.CostAfter <= 1m);
        var status = await grain.GetStatusAsync();
        Assert.Equal(0, status.OpenReservations);
    }

    private static void Server(string command)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot.Find(), "deploy", "postgres.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATA"] = DataDirectory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && command == "start")
        {
            throw new InvalidOperationException($"deploy/postgres.sh {command} failed ({process.ExitCode}): {output}");
        }
    }
}
