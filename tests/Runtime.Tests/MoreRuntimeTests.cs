using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Hosting;
using OrleansTenancy.Runtime.Testing;
using OrleansTenancy.Runtime.Tests.Grains;
using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests;

public sealed class MoreRuntimeTests
{
    [Fact]
    public async Task Failed_activation_fails_the_waiting_calls_and_the_next_call_activates_again()
    {
        await using var cluster = await TestClusterBuilder.Create().AddGrainsFrom(typeof(FlakyActivationGrain).Assembly)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => new TestGrainStorage())).BuildAndStartAsync();
        var key = Probe.NewKey("flaky");
        var grain = cluster.Client.GetGrain<IFlakyActivationGrain>(key);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Attempt());
        Assert.Equal($"activation 1 of {key} failed", exception.Message);

        Assert.Equal(2, await grain.Attempt());
    }

    [Fact]
    public async Task Caller_cancellation_cancels_the_wait_and_the_grain_token()
    {
        await using var cluster = await TestClusterBuilder.Create().AddGrainsFrom(typeof(TimeoutGrain).Assembly)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => new TestGrainStorage())).BuildAndStartAsync();
        var key = Probe.NewKey("cancel");
        var probe = Probe.For(key);
        using var cancellation = new CancellationTokenSource();
        var call = cluster.Silos[0].GrainFactory.GetGrain<ITimeoutGrain>(key).WaitForever(cancellation.Token);
        await probe.WaitAsync("entered");

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        await probe.WaitAsync("cancelled");
    }

    [Fact]
    public async Task Joining_silo_takes_over_its_grains_which_the_old_owners_deactivate_after_persisting()
    {
        var storage = new TestGrainStorage();
        await using var cluster = await TestClusterBuilder.Create().WithSilos(2).AddGrainsFrom(typeof(CounterGrain).Assembly)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => storage)).BuildAndStartAsync();
        var keys = Enumerable.Range(0, 40).Select(_ => Probe.NewKey("move")).ToList();
        foreach (var key in keys)
        {
            Assert.Equal(1, await cluster.Client.GetGrain<ICounterGrain>(key).Increment());
        }

        var joined = await cluster.StartSiloAsync();

        var moved = keys.Where(k => cluster.GetOwner<ICounterGrain>(k).Address == joined.Address).ToList();
        Assert.NotEmpty(moved);
        foreach (var key in moved)
        {
            await Probe.For(key).WaitAsync("deactivated:1");
            Assert.Equal("deactivate:PlacementChanged", Probe.For(key).Entries[^1]);
            Assert.Equal(2, await cluster.Client.GetGrain<ICounterGrain>(key).Increment());
        }

        Assert.Equal(moved.Count, joined.Silo.ActivationCount);
        foreach (var key in keys.Except(moved))
        {
            Assert.Equal(0, Probe.For(key).Count("deactivations"));
        }
    }

    [Fact]
    public async Task Grain_calls_are_counted_per_grain_type()
    {
        long calls = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RuntimeMetrics.MeterName && instrument.Name == "grain_calls_total")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "grain_type" && Equals(tag.Value, nameof(FlakyActivationGrain)))
                {
                    Interlocked.Add(ref calls, value);
                }
            }
        });
        listener.Start();
        await using var cluster = await TestClusterBuilder.Create().AddGrainsFrom(typeof(FlakyActivationGrain).Assembly)
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => new TestGrainStorage())).BuildAndStartAsync();
        var grain = cluster.Client.GetGrain<IFlakyActivationGrain>(Probe.NewKey("metered"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Attempt());

        for (var i = 0; i < 3; i++)
        {
            await grain.Attempt();
        }

        Assert.Equal(3, Interlocked.Read(ref calls));
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_from_starting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGrainRuntime(o => o.MaxStatelessWorkersPerSilo = 0).AddGrains(typeof(CounterGrain).Assembly);
        using var host = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("GrainRuntimeOptions.MaxStatelessWorkersPerSilo", exception.Message);
    }
}
