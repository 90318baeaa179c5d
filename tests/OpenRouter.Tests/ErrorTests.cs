using System.Net;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.OpenRouter.Tests;

public sealed class ErrorTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Theory]
    [InlineData(400, OpenRouterErrorKind.BadRequest, "Invalid request", false)]
    [InlineData(401, OpenRouterErrorKind.Unauthorized, "Invalid API key", false)]
    [InlineData(402, OpenRouterErrorKind.InsufficientCredits, "Insufficient credits", false)]
    [InlineData(403, OpenRouterErrorKind.Forbidden, "flagged by moderation", false)]
    [InlineData(408, OpenRouterErrorKind.Timeout, "timed out", true)]
    [InlineData(429, OpenRouterErrorKind.RateLimited, "rate-limited", true)]
    [InlineData(502, OpenRouterErrorKind.BadGateway, "Provider returned error", true)]
    [InlineData(503, OpenRouterErrorKind.Unavailable, "No endpoints found", true)]
    public async Task Error_statuses_map_to_kinds_with_message_and_metadata(int status, OpenRouterErrorKind kind, string message, bool retryable)
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options => options.MaxRetries = 0);

        var error = await Assert.ThrowsAsync<OpenRouterException>(() =>
            client.CompleteAsync(SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Error", status.ToString()))));

        Assert.Equal(kind, error.Kind);
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal(status.ToString(), error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(retryable, error.IsRetryable);
        Assert.False(error.OutputStarted);
        Assert.False(error.ChargeMayHaveOccurred);
        if (status == 403)
        {
            var metadata = error.Metadata!.Value;
            Assert.Equal("simulated-flag", metadata.GetProperty("reasons")[0].GetString());
            Assert.Equal("Summarise the quarterly report in two lines.", metadata.GetProperty("flagged_input").GetString());
            Assert.Equal("openai/gpt-4o-mini", metadata.GetProperty("model_slug").GetString());
        }

        if (status == 502)
        {
            Assert.Equal("SimProvider", error.Metadata!.Value.GetProperty("provider_name").GetString());
        }
    }

    [Fact]
    public async Task Rate_limit_carries_retry_after()
    {
        var client = fixture.CreateClient(options => options.MaxRetries = 0);

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(
            SimulatorFixture.Request(),
            SimulatorFixture.Call(SimulatorFixture.NewId(), ("X-Sim-Error", "429"), ("X-Sim-Retry-After", "3"))));

        Assert.Equal(OpenRouterErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
    }

    [Theory]
    [InlineData("429")]
    [InlineData("503")]
    public async Task Retryable_errors_are_retried_then_succeed(string status)
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options => options.MaxRetries = 2);

        var result = await client.CompleteAsync(
            SimulatorFixture.Request(),
            SimulatorFixture.Call(id, ("X-Sim-Error", status), ("X-Sim-Fail-Times", "2"), ("X-Sim-Retry-After", "0")));

        Assert.Equal(3, result.Attempts);
        await fixture.Recorded(id, request => request.Status == 200);
        Assert.Equal(3, fixture.AttemptsSeen(id));
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options => options.MaxRetries = 2);

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Error", "503"))));

        Assert.Equal(OpenRouterErrorKind.Unavailable, error.Kind);
        Assert.Equal(3, fixture.AttemptsSeen(id));
    }

    [Fact]
    public async Task Streams_are_retried_before_they_start()
    {
        var id = SimulatorFixture.NewId();
        await using var stream = await fixture.CreateClient().StartStreamAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Error", "502"), ("X-Sim-Fail-Times", "1")));

        await foreach (var _ in stream.ReadChunksAsync())
        {
        }

        Assert.Equal(2, stream.Attempts);
        Assert.True(stream.Completed);
    }

    [Theory]
    [InlineData("400")]
    [InlineData("402")]
    public async Task Client_errors_are_not_retried(string status)
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options => options.MaxRetries = 3);

        await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Error", status))));

        await fixture.Recorded(id);
        Assert.Equal(1, fixture.AttemptsSeen(id));
    }

    [Fact]
    public async Task Retry_waits_for_retry_after_on_the_injected_clock()
    {
        var id = SimulatorFixture.NewId();
        var clock = new TestClock();
        var client = fixture.CreateClient(options => options.MaxRetries = 1, clock);
        var armed = clock.WhenTimerArmed(due => due == TimeSpan.FromSeconds(3));

        var call = client.CompleteAsync(
            SimulatorFixture.Request(),
            SimulatorFixture.Call(id, ("X-Sim-Error", "429"), ("X-Sim-Fail-Times", "1"), ("X-Sim-Retry-After", "3")));

        await armed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(call.IsCompleted);
        Assert.Equal(1, fixture.AttemptsSeen(id));
        clock.Advance(TimeSpan.FromSeconds(3));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task Timeout_maps_to_a_clear_error_and_is_not_retried()
    {
        var id = SimulatorFixture.NewId();
        var clock = new TestClock();
        var client = fixture.CreateClient(
            options =>
            {
                options.Timeout = TimeSpan.FromSeconds(5);
                options.MaxRetries = 2;
            },
            clock);
        var armed = clock.WhenTimerArmed(due => due == TimeSpan.FromSeconds(5));
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReceived(string? requestId)
        {
            if (requestId == id)
            {
                received.TrySetResult();
            }
        }

        fixture.Simulator.State.RequestReceived += OnReceived;
        var call = client.CompleteAsync(SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Latency-Ms", "60000")));
        await armed.WaitAsync(TimeSpan.FromSeconds(10));
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        fixture.Simulator.State.RequestReceived -= OnReceived;
        clock.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(OpenRouterErrorKind.Timeout, error.Kind);
        Assert.Null(error.StatusCode);
        Assert.True(error.ChargeMayHaveOccurred);
        Assert.False(error.IsRetryable);
        Assert.Contains("within 00:00:05", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenRouter:Timeout", error.Message, StringComparison.Ordinal);
        Assert.Equal("client-disconnected", (await fixture.Recorded(id)).Outcome);
        Assert.Equal(1, fixture.AttemptsSeen(id));
    }

    [Fact]
    public async Task Unknown_model_and_missing_messages_are_bad_requests()
    {
        var client = fixture.CreateClient();

        var unknown = await Assert.ThrowsAsync<OpenRouterException>(() =>
            client.CompleteAsync(SimulatorFixture.Request("nobody/nothing"), SimulatorFixture.Call(SimulatorFixture.NewId())));
        var empty = SimulatorFixture.Request();
        empty.Messages = [];
        var missing = await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(empty, SimulatorFixture.Call(SimulatorFixture.NewId())));

        Assert.Equal(OpenRouterErrorKind.BadRequest, unknown.Kind);
        Assert.Contains("nobody/nothing is not a valid model ID", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(OpenRouterErrorKind.BadRequest, missing.Kind);
        Assert.Contains("messages", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_base_url_is_a_transport_error_naming_the_url()
    {
        var client = new OpenRouterClient(fixture.Http, new OpenRouterOptions
        {
            BaseUrl = new Uri("http://127.0.0.1:1/api/v1"),
            MaxRetries = 1,
            RetryBaseDelay = TimeSpan.Zero,
        });

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(SimulatorFixture.Request()));

        Assert.Equal(OpenRouterErrorKind.Transport, error.Kind);
        Assert.False(error.ChargeMayHaveOccurred);
        Assert.Contains("http://127.0.0.1:1/api/v1/chat/completions", error.Message, StringComparison.Ordinal);
    }
}

public sealed class RequiredKeyTests : IAsyncLifetime
{
    private SimulatorHost? _simulator;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public async Task InitializeAsync() =>
        _simulator = await OpenRouterSimulator.StartAsync(new SimulatorOptions { RequiredApiKey = "sk-or-right" });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _simulator!.DisposeAsync();
    }

    [Theory]
    [InlineData(null, "No auth credentials")]
    [InlineData("sk-or-wrong", "Invalid API key")]
    public async Task Wrong_or_missing_key_is_unauthorized(string? key, string message)
    {
        var client = new OpenRouterClient(_http, new OpenRouterOptions { BaseUrl = _simulator!.BaseUrl, ApiKey = key });

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(SimulatorFixture.Request()));

        Assert.Equal(OpenRouterErrorKind.Unauthorized, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Right_key_is_accepted()
    {
        var client = new OpenRouterClient(_http, new OpenRouterOptions { BaseUrl = _simulator!.BaseUrl, ApiKey = "sk-or-right" });

        var result = await client.CompleteAsync(SimulatorFixture.Request());

        Assert.NotNull(result.Usage);
    }
}
