using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Tests;

/// <summary>One in-process simulator on 127.0.0.1:0 per test class; tests tell their requests apart by request id.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    private SimulatorHost? _host;

    public SimulatorHost Simulator => _host ?? throw new InvalidOperationException("The simulator has not started.");

    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    public async Task InitializeAsync() => _host = await OpenRouterSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public OpenRouterClient CreateClient(Action<OpenRouterOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new OpenRouterOptions
        {
            BaseUrl = Simulator.BaseUrl,
            ApiKey = "sk-or-test",
            RetryBaseDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return new OpenRouterClient(Http, options, time);
    }

    public static ChatCompletionRequest Request(string model = "openai/gpt-4o-mini", string text = "Summarise the quarterly report in two lines.") => new()
    {
        Model = model,
        Messages = [ChatMessage.Create("system", "You are terse."), ChatMessage.Create("user", text)],
    };

    public static OpenRouterCallOptions Call(string requestId, params (string Name, string Value)[] headers) => new()
    {
        RequestId = requestId,
        Headers = headers.ToDictionary(header => header.Name, header => header.Value),
    };

    public static string NewId() => "req-" + Guid.NewGuid().ToString("N");

    public int AttemptsSeen(string requestId) => Simulator.Requests.Recent.Count(request => request.RequestId == requestId);

    public Task<RecordedRequest> Recorded(string requestId, Func<RecordedRequest, bool>? also = null) =>
        Simulator.Requests.WhenRecorded(request => request.RequestId == requestId && (also?.Invoke(request) ?? true))
            .WaitAsync(TimeSpan.FromSeconds(10));
}
