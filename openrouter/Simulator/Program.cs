using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OrleansTenancy.OpenRouter.Simulator;

// Standalone: dotnet run --project openrouter/Simulator -- --urls http://127.0.0.1:8090
// Then point OPENROUTER_BASE_URL at http://127.0.0.1:8090/api/v1.
var builder = WebApplication.CreateSlimBuilder(args);
// The simulator is a latency baseline: no per-request log lines unless configured otherwise.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var state = new SimulatorState(SimulatorOptions.FromConfiguration(builder.Configuration));
var app = builder.Build();
app.MapOpenRouterSimulator(state);
await app.RunAsync();
