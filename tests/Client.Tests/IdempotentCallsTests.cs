using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests;

/// <summary>The retry of idempotent calls: transport failures are tried again with doubling waits, answers are not.</summary>
public sealed class IdempotentCallsTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task A_call_whose_gateway_or_silo_failed_is_tried_again_after_doubling_waits_until_it_succeeds()
    {
        var calls = Calls(attempts: 3, delay: TimeSpan.FromMilliseconds(200));
        Exception[] failures = [new SiloUnavailableException("silo died"), new ConnectionFailedException("gateway gone"), new TimeoutException("no answer")];
        var attempts = 0;

        var result = calls.RunAsync("GetBudget", () => ++attempts <= failures.Length ? Task.FromException<int>(failures[attempts - 1]) : Task.FromResult(42), CancellationToken.None);

        foreach (var wait in new[] { 200, 400, 800 })
        {
            Assert.Equal(TimeSpan.FromMilliseconds(wait), await _clock.WhenTimerArmed());
            Assert.False(result.IsCompleted);
            _clock.Advance(TimeSpan.FromMilliseconds(wait));
        }

        Assert.Equal(42, await result);
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task After_the_last_retry_the_transport_failure_reaches_the_caller()
    {
        var calls = Calls(attempts: 1, delay: TimeSpan.FromSeconds(1));
        var attempts = 0;

        var result = calls.RunAsync<int>("GetUsage", () => { attempts++; return Task.FromException<int>(new GatewayTooBusyException()); }, CancellationToken.None);
        await _clock.WhenTimerArmed();
        _clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<GatewayTooBusyException>(() => result);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task An_answer_of_the_cluster_is_never_retried()
    {
        var calls = Calls(attempts: 3, delay: TimeSpan.FromSeconds(1));
        var attempts = 0;

        await Assert.ThrowsAsync<UnknownTenantException>(() => calls.RunAsync<int>("GetBudget", () =>
        {
            attempts++;
            return Task.FromException<int>(new UnknownTenantException("acmee", null, "Tenant 'acmee' is not in the registry."));
        }, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => calls.RunAsync<int>("SetBudgetOverride", () =>
        {
            attempts++;
            return Task.FromException<int>(new ArgumentException("daily_cap_usd must not be negative"));
        }, CancellationToken.None));

        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait_for_a_retry()
    {
        var calls = Calls(attempts: 3, delay: TimeSpan.FromMinutes(1));
        using var cancel = new CancellationTokenSource();

        var result = calls.RunAsync<int>("GetBudget", () => Task.FromException<int>(new SiloUnavailableException()), cancel.Token);
        await _clock.WhenTimerArmed();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => result);
    }

    private IdempotentCalls Calls(int attempts, TimeSpan delay) =>
        new(new TenancyClientOptions { RetryAttempts = attempts, RetryDelay = delay }, _clock, NullLogger.Instance);
}
