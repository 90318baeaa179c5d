using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Client.Tests.Infrastructure;
using Orleans.Runtime;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests;

/// <summary>
/// A service connected to two gateways of one cluster carries on through the other when a silo dies: idempotent calls
/// in flight are tried again and succeed, what the dead silo's grains had stored is still there, and new chat calls
/// are served. (On PostgreSQL for grain state and ledger, as silos of a deployment share them.)
/// </summary>
[RequiresPostgres]
public sealed class FailoverTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [StoreFact]
    public async Task When_a_silo_and_its_gateway_die_the_client_carries_on_through_the_other_and_loses_nothing_stored()
    {
        await using var cluster = await TwoSilos.StartAsync(postgres.ConnectionString);
        using var service = await StartServiceAsync(cluster);
        var tenancy = service.Services.GetRequiredService<TenancyClient>();

        // State kept by grains spread over both silos, and proof that calls went through both gateways.
        foreach (var tenant in TwoSilos.Tenants)
        {
            await tenancy.Tenant(tenant).SetBudgetOverrideAsync(new BudgetLimits { DailyCapUsd = 3m });
            await tenancy.Workspace(tenant, "main").AddMemoryAsync("notes", $"{tenant} remembers", id: "kept");
        }

        Assert.Equal(cluster.Addresses.ToHashSet(), await AnsweringSilosAsync(tenancy, calls: 64));

        // Chat calls waiting on upstream when the silo dies: a call on the dead silo fails and is not sent again.
        cluster.Upstream.State.Defaults = new OpenRouter.Simulator.SimulatorKnobs { LatencyMs = 120_000 };
        var upstreamSaw = new ConcurrentQueue<string?>();
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Upstream.State.RequestReceived += id =>
        {
            upstreamSaw.Enqueue(id);
            if (upstreamSaw.Count == 12)
            {
                allReceived.TrySetResult();
            }
        };
        using var abandon = new CancellationTokenSource();
        var chats = Enumerable.Range(0, 12).Select(i => tenancy.Workspace(TwoSilos.Tenants[i % TwoSilos.Tenants.Count], "main")
            .ChatAsync($"Waiting {i}", cancellationToken: abandon.Token)).ToArray();
        await allReceived.Task.WaitAsync(TimeSpan.FromMinutes(2)); // a bound, not a wait: a call that cannot start fails the test
        var management = tenancy.Cluster.GetGrain<IManagementGrain>(0);
        var chatSilos = new HashSet<string>();
        foreach (var id in upstreamSaw)
        {
            chatSilos.Add((await management.GetActivationAddress(tenancy.Cluster.GetGrain<IChatCallGrain>(id!)))!.ToString());
        }

        Assert.Equal(cluster.Addresses.ToHashSet(), chatSilos); // twelve calls placed where they arrived: on both silos

        // Idempotent calls run without pause while the second silo is stopped without handing anything over.
        var failures = new ConcurrentQueue<Exception>();
        var afterKill = new CountdownEvent(TwoSilos.Tenants.Count * 20);
        var killed = 0;
        using var stop = new CancellationTokenSource();
        var load = TwoSilos.Tenants.Select(tenant => Task.Run(async () =>
        {
            var workspace = tenancy.Workspace(tenant, "main");
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var budget = await workspace.Tenant.GetBudgetAsync();
                    var notes = await workspace.RetrieveMemoryAsync("notes");
                    Assert.Equal(3m, budget.Override?.DailyCapUsd);
                    Assert.Equal($"{tenant} remembers", Assert.Single(notes).Text);
                    if (Volatile.Read(ref killed) == 1 && !afterKill.IsSet)
                    {
                        afterKill.Signal();
                    }
                }
                catch (Exception error)
                {
                    failures.Enqueue(error);
                }
            }
        })).ToArray();

        await cluster.KillAsync(1);
        Volatile.Write(ref killed, 1);
        await Task.Run(() => afterKill.Wait(TimeSpan.FromMinutes(2)));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(afterKill.IsSet, $"only {afterKill.InitialCount - afterKill.CurrentCount} of {afterKill.InitialCount} calls succeeded after the kill");
        Assert.Empty(failures);
        Assert.Equal([cluster.Addresses[0]], await AnsweringSilosAsync(tenancy, calls: 16));

        // The chat calls that ran on the dead silo were not sent again: they wait (until the chat timeout, here until
        // their caller gives up), and upstream saw every request exactly once.
        Assert.All(chats, c => Assert.False(c.IsCompleted, $"a chat call ended by itself: {c.Status}"));
        await abandon.CancelAsync();
        foreach (var chat in chats)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chat);
        }

        Assert.Equal(12, upstreamSaw.Count);
        Assert.Equal(12, upstreamSaw.Distinct().Count());
        cluster.Upstream.State.Defaults = new OpenRouter.Simulator.SimulatorKnobs();

        // A new chat call of any tenant is served by the survivor, and reserved against the state it found.
        foreach (var tenant in TwoSilos.Tenants)
        {
            var answer = await tenancy.Workspace(tenant, "main").ChatAsync("Still there?");
            Assert.True(answer.CostUsd > 0m);
        }

    }

    /// <summary>The silos whose gateways answered probes of <paramref name="calls"/> keys (each key hashes to a gateway).</summary>
    private static async Task<HashSet<string>> AnsweringSilosAsync(TenancyClient tenancy, int calls)
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, calls).Select(i =>
            tenancy.Calls.RunAsync("Probe", () => tenancy.Cluster.GetGrain<ISiloProbeGrain>($"probe-{i}").WhereAsync(), CancellationToken.None)));
        return [.. answers];
    }

    private static async Task<IHost> StartServiceAsync(TwoSilos cluster)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.AddOrleansTenancyClient(o =>
        {
            o.ServiceId = TwoSilos.ServiceId;
            o.ClusterId = cluster.ClusterId;
            o.Gateways = cluster.Gateways;
            o.ResponseTimeout = TimeSpan.FromSeconds(5);
            o.RetryAttempts = 10;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
