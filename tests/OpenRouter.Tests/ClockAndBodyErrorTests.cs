using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTenancy.OpenRouter.Tests;

public sealed class ClockAndBodyErrorTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Backoff_without_retry_after_doubles_with_bounded_jitter_on_the_injected_clock()
    {
        var id = SimulatorFixture.NewId();
        var clock = new TestClock();
        var client = fixture.CreateClient(
            options =>
            {
                options.MaxRetries = 2;
                options.RetryBaseDelay = TimeSpan.FromSeconds(1);
            },
            clock);
        var first = clock.WhenTimerArmed(due => due >= TimeSpan.FromSeconds(1) && due <= TimeSpan.FromSeconds(1.25));

        var call = client.CompleteAsync(SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Error", "502"), ("X-Sim-Fail-Times", "2")));

        var firstDelay = await first.WaitAsync(TimeSpan.FromSeconds(10));
        var second = clock.WhenTimerArmed(due => due >= TimeSpan.FromSeconds(2) && due <= TimeSpan.FromSeconds(2.5));
        Assert.Equal(1, fixture.AttemptsSeen(id));
        clock.Advance(firstDelay);
        var secondDelay = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, fixture.AttemptsSeen(id));
        clock.Advance(secondDelay);
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, result.Attempts);
    }

    [Fact]
    public async Task Retry_after_is_capped_by_max_retry_delay()
    {
        var clock = new TestClock();
        var client = fixture.CreateClient(
            options =>
            {
                options.MaxRetries = 1;
                options.MaxRetryDelay = TimeSpan.FromSeconds(5);
            },
            clock);
        var capped = clock.WhenTimerArmed(due => due == TimeSpan.FromSeconds(5));

        var call = client.CompleteAsync(
            SimulatorFixture.Request(),
            SimulatorFixture.Call(SimulatorFixture.NewId(), ("X-Sim-Error", "429"), ("X-Sim-Fail-Times", "1"), ("X-Sim-Retry-After", "3600")));

        await capped.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, (await call.WaitAsync(TimeSpan.FromSeconds(10))).Attempts);
    }

    [Fact]
    public async Task Silent_stream_times_out_after_output_started()
    {
        var clock = new TestClock();
        var client = fixture.CreateClient(options => options.StreamIdleTimeout = TimeSpan.FromSeconds(20), clock);
        await using var stream = await client.StartStreamAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(SimulatorFixture.NewId(), ("X-Sim-Chunk-Delay-Ms", "60000")));
        var chunks = stream.ReadChunksAsync().GetAsyncEnumerator();
        Assert.True(await chunks.MoveNextAsync());

        var armed = clock.WhenTimerArmed(due => due == TimeSpan.FromSeconds(20));
        var next = chunks.MoveNextAsync().AsTask();
        await armed.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => next.WaitAsync(TimeSpan.FromSeconds(10)));
        await chunks.DisposeAsync();
        Assert.Equal(OpenRouterErrorKind.Timeout, error.Kind);
        Assert.True(error.OutputStarted);
        Assert.True(error.ChargeMayHaveOccurred);
        Assert.Contains("StreamIdleTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_in_a_200_body_is_an_error_that_may_have_been_charged()
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options => options.MaxRetries = 2);

        var error = await Assert.ThrowsAsync<OpenRouterException>(() => client.CompleteAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Body-Error", "502"))));

        Assert.Equal(OpenRouterErrorKind.BadGateway, error.Kind);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.True(error.ChargeMayHaveOccurred);
        Assert.Equal("SimProvider", error.Metadata!.Value.GetProperty("provider_name").GetString());
        Assert.Equal(1, fixture.AttemptsSeen(id));
    }

    [Fact]
    public async Task Service_registration_builds_a_working_client()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new TestClock());
        services.AddOpenRouterClient(
            new ConfigurationBuilder().Build(),
            options =>
            {
                options.BaseUrl = fixture.Simulator.BaseUrl;
                options.Title = "Registered";
            });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<OpenRouterClient>();
        var id = SimulatorFixture.NewId();
        var result = await client.CompleteAsync(SimulatorFixture.Request(), SimulatorFixture.Call(id));

        Assert.NotNull(result.Usage);
        Assert.Equal("Registered", (await fixture.Recorded(id)).Title);
    }
}
