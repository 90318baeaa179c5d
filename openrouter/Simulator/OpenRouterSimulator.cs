using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>
/// A stand-in for OpenRouter that speaks its wire format: <c>POST /api/v1/chat/completions</c> (JSON and SSE),
/// <c>GET /api/v1/models</c>, and control endpoints under <c>/_sim</c>. Host it in-process with
/// <see cref="StartAsync"/> or run the program with <c>--urls</c>.
/// </summary>
/// <remarks>
/// Control endpoints, for clients that cannot send <c>X-Sim-*</c> headers:
/// <c>GET /_sim/config</c> and <c>POST /_sim/config</c> (a <see cref="SimulatorKnobs"/> JSON object in snake_case,
/// e.g. <c>{"latency_ms":50,"error":429,"fail_times":1}</c>, replacing the defaults), <c>POST /_sim/reset</c>,
/// and <c>GET /_sim/requests</c> (count and recent requests). Model ids <c>sim/error-NNN</c> always fail with
/// status NNN, which exercises <c>models</c> fallback without headers.
/// </remarks>
public static class OpenRouterSimulator
{
    /// <summary>The path prefix OpenRouter serves its API under; the simulator's base URL ends with it.</summary>
    public const string ApiPrefix = "/api/v1";

    /// <summary>Starts a simulator on <paramref name="url"/> (port 0 picks a free port) in this process.</summary>
    /// <param name="options">Simulator settings; defaults when null.</param>
    /// <param name="url">The listen URL.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static async Task<SimulatorHost> StartAsync(SimulatorOptions? options = null, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The embedding process's appsettings and ASPNETCORE_* variables (Kestrel endpoints, URLs) belong to its
        // own server; the simulator listens only where it is told.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var state = new SimulatorState(options ?? new SimulatorOptions());
        app.MapOpenRouterSimulator(state);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var root = new Uri(addresses.First().TrimEnd('/') + "/");
        return new SimulatorHost(app, state, root);
    }

    /// <summary>Maps the simulator's routes onto <paramref name="endpoints"/>.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="state">The simulator state the routes share.</param>
    public static IEndpointRouteBuilder MapOpenRouterSimulator(this IEndpointRouteBuilder endpoints, SimulatorState state)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(state);
        var chat = new ChatCompletionsHandler(state);
        var modelsBody = JsonSerializer.SerializeToUtf8Bytes(state.ModelsBody, OpenRouterJsonContext.Default.ModelsResponse);

        endpoints.MapPost(ApiPrefix + "/chat/completions", (RequestDelegate)chat.HandleAsync);
        endpoints.MapGet(ApiPrefix + "/models", context => WriteBytesAsync(context, modelsBody));
        endpoints.MapGet("/_sim/requests", context => WriteJsonAsync(
            context,
            new RequestLogSnapshot(state.Requests.Count, state.Requests.Recent),
            SimulatorJsonContext.Default.RequestLogSnapshot));
        endpoints.MapGet("/_sim/config", context => WriteJsonAsync(context, state.Defaults, SimulatorJsonContext.Default.SimulatorKnobs));
        endpoints.MapPost("/_sim/config", async context =>
        {
            try
            {
                state.Defaults = await JsonSerializer.DeserializeAsync(context.Request.Body, SimulatorJsonContext.Default.SimulatorKnobs, context.RequestAborted)
                    ?? new SimulatorKnobs();
            }
            catch (JsonException ex)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync($"POST /_sim/config expects a knobs object such as {{\"latency_ms\":50}}: {ex.Message}", context.RequestAborted);
                return;
            }

            await WriteJsonAsync(context, state.Defaults, SimulatorJsonContext.Default.SimulatorKnobs);
        });
        endpoints.MapPost("/_sim/reset", context =>
        {
            state.Reset();
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        return endpoints;
    }

    private static Task WriteBytesAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static Task WriteJsonAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted);
    }
}

/// <summary>A simulator running in this process. Dispose it to stop listening.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal SimulatorHost(WebApplication app, SimulatorState state, Uri rootUrl)
    {
        _app = app;
        State = state;
        RootUrl = rootUrl;
        BaseUrl = new Uri(rootUrl, OpenRouterSimulator.ApiPrefix.TrimStart('/'));
    }

    /// <summary>The API base URL to configure as <c>OpenRouter:BaseUrl</c>, e.g. <c>http://127.0.0.1:5123/api/v1</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The server root, where <c>/_sim/*</c> lives.</summary>
    public Uri RootUrl { get; }

    /// <summary>
    /// Configuration that points an OpenRouter client here (<c>OpenRouter:BaseUrl</c>, <c>:ApiKey</c>) with no retries
    /// (<c>OpenRouter:MaxRetries</c> 0), so every request a caller makes reaches the simulator once.
    /// </summary>
    public Dictionary<string, string?> ClientSettings() => new()
    {
        ["OpenRouter:BaseUrl"] = BaseUrl.ToString(),
        ["OpenRouter:ApiKey"] = "sk-or-simulated",
        ["OpenRouter:MaxRetries"] = "0",
    };

    /// <summary>Options, knob defaults and the request log.</summary>
    public SimulatorState State { get; }

    /// <summary>The request log.</summary>
    public RequestLog Requests => State.Requests;

    /// <summary>Stops the simulator; requests still open (a test's slow answers) are aborted rather than awaited.</summary>
    public async ValueTask DisposeAsync()
    {
        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(abort.Token);
        await _app.DisposeAsync();
    }
}
