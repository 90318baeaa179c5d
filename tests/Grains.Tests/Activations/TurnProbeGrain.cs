using Orleans.Concurrency;

namespace OrleansTenancy.Grains.Tests.Activations;

/// <summary>Records how the turns of one activation overlap.</summary>
[Alias("OrleansTenancy.Tests.ITurnProbeGrain")]
public interface ITurnProbeGrain : IGrainWithStringKey
{
    /// <summary>Runs <paramref name="steps"/> synchronous stretches with an await between each two.</summary>
    [Alias("Run")]
    Task RunAsync(int steps);

    /// <summary>What the runs so far saw.</summary>
    [Alias("Report")]
    Task<TurnReport> ReportAsync();
}

/// <param name="Overlaps">Synchronous stretches that found another one running.</param>
/// <param name="MostAwaiting">The most calls that were at an await at once (more than one means calls interleaved).</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.Tests.TurnReport")]
public sealed record TurnReport(int Overlaps, int MostAwaiting);

/// <summary>A reentrant grain, as <c>TenantGrain</c> is.</summary>
[Reentrant]
public sealed class TurnProbeGrain : Grain, ITurnProbeGrain
{
    private int _inside;
    private int _overlaps;
    private int _awaiting;
    private int _mostAwaiting;

    public async Task RunAsync(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            if (Interlocked.Increment(ref _inside) != 1)
            {
                Interlocked.Increment(ref _overlaps);
            }

            // Long enough that a turn running on a second thread would be caught inside it.
            Thread.SpinWait(20_000);
            Interlocked.Decrement(ref _inside);

            _mostAwaiting = Math.Max(_mostAwaiting, Interlocked.Increment(ref _awaiting));
            await Task.Yield();
            Interlocked.Decrement(ref _awaiting);
        }
    }

    public Task<TurnReport> ReportAsync() => Task.FromResult(new TurnReport(Volatile.Read(ref _overlaps), _mostAwaiting));
}
