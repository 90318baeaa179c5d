using Orleans.Concurrency;

namespace OrleansTenancy.Client.Tests.Infrastructure;

/// <summary>Says which silo answered: a stateless worker runs on the silo whose gateway received a client's call.</summary>
[Alias("OrleansTenancy.Tests.ISiloProbeGrain")]
public interface ISiloProbeGrain : IGrainWithStringKey
{
    [Alias("Where")]
    Task<string> WhereAsync();
}

[StatelessWorker]
public sealed class SiloProbeGrain(ILocalSiloDetails silo) : Grain, ISiloProbeGrain
{
    public Task<string> WhereAsync() => Task.FromResult(silo.SiloAddress.ToString());
}
