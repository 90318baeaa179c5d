using BenchmarkDotNet.Attributes;
using OrleansTenancy.Benchmarks.Hosting;

namespace OrleansTenancy.Benchmarks.Calls;

/// <summary>
/// Grain call cost inside one silo, from the silo's own <see cref="IGrainFactory"/>. The sequential cases
/// give latency per call; the batched cases keep <see cref="Concurrency"/> calls in flight and divide by their count,
/// which gives the time per call under load (its inverse is calls per second).
/// </summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    public const int Concurrency = 1000;

    private BenchSilo _silo = null!;
    private IEchoGrain _echo = null!;
    private IEchoGrain[] _echoes = null!;
    private IStatelessEchoGrain _worker = null!;
    private readonly Task<int>[] _inFlight = new Task<int>[Concurrency];

    [GlobalSetup]
    public void Setup()
    {
        // The product grains are there too (as in the silo host); their storage must exist even though no call reaches them.
        _silo = BenchSilo.StartAsync(silo => silo.AddMemoryGrainStorageAsDefault()).GetAwaiter().GetResult();
        _echo = _silo.Grains.GetGrain<IEchoGrain>("echo");
        _echoes = [.. Enumerable.Range(0, 100).Select(i => _silo.Grains.GetGrain<IEchoGrain>("echo-" + i))];
        _worker = _silo.Grains.GetGrain<IStatelessEchoGrain>("worker");

        // Activate everything outside the measured region.
        Task.WhenAll(_echoes.Select(e => e.EchoAsync(0)).Append(_echo.EchoAsync(0)).Append(_worker.EchoAsync(0))).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "echo, one call at a time")]
    public Task<int> Echo_sequential() => _echo.EchoAsync(1);

    [Benchmark(Description = "stateless worker echo, one call at a time")]
    public Task<int> Worker_sequential() => _worker.EchoAsync(1);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "echo, 1000 in flight on one activation")]
    public Task Echo_one_activation_concurrent()
    {
        for (var i = 0; i < Concurrency; i++)
        {
            _inFlight[i] = _echo.EchoAsync(i);
        }

        return Task.WhenAll(_inFlight);
    }

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "echo, 1000 in flight over 100 activations")]
    public Task Echo_hundred_activations_concurrent()
    {
        for (var i = 0; i < Concurrency; i++)
        {
            _inFlight[i] = _echoes[i % _echoes.Length].EchoAsync(i);
        }

        return Task.WhenAll(_inFlight);
    }

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "stateless worker echo, 1000 in flight")]
    public Task Worker_concurrent()
    {
        for (var i = 0; i < Concurrency; i++)
        {
            _inFlight[i] = _worker.EchoAsync(i);
        }

        return Task.WhenAll(_inFlight);
    }
}
