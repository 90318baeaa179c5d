using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>
/// Standalone entry point: <c>dotnet run --project openrouter/Simulator -- --urls http://127.0.0.1:8090</c>,
/// then point <c>OPENROUTER_BASE_URL</c> at <c>http://127.0.0.1:8090/api/v1</c>.
/// </summary>
internal static class SimulatorProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // The simulator is a latency baseline: no per-request log lines unless configured otherwise.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var state = new SimulatorState(SimulatorOptions.FromConfiguration(builder.Configuration));
        var app = builder.Build();
        app.MapOpenRouterSimulator(state);
        await app.RunAsync();
    }
}
