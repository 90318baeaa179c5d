using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansTenancy.Silo.Tests.Alerts;

/// <summary>
/// A local webhook receiver on a loopback port: it records every request, answers with the statuses queued by
/// <see cref="FailNext"/> (then 200), and can hold its answers at a gate until <see cref="Open"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<HttpStatusCode> _answers = new();
    private readonly List<ReceivedWebhook> _received = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        _gate.SetResult();
    }

    /// <summary>The receiver's base address (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The requests received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return receiver;
    }

    /// <summary>An absolute address on this receiver.</summary>
    public string Url(string path) => new Uri(Address, path).AbsoluteUri;

    /// <summary>Answers the next requests with these statuses, in order.</summary>
    public void FailNext(params HttpStatusCode[] statuses)
    {
        foreach (var status in statuses)
        {
            _answers.Enqueue(status);
        }
    }

    /// <summary>Holds every answer (the request is recorded at once) until <see cref="Open"/>.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Releases held answers.</summary>
    public void Open()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    /// <summary>Completes when <paramref name="count"/> requests have arrived, or fails naming what arrived.</summary>
    public async Task WaitForAsync(int count, TimeSpan? timeout = null)
    {
        Task reached;
        lock (_lock)
        {
            if (_received.Count >= count)
            {
                return;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
            reached = waiter.Task;
        }

        try
        {
            await reached.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"Expected {count} webhook requests, got {Received.Count}: {string.Join(", ", Received.Select(r => r.Path))}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Open();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        Task gate;
        lock (_lock)
        {
            _received.Add(new ReceivedWebhook(
                http.Request.Path + http.Request.QueryString,
                http.Request.Headers["Idempotency-Key"].ToString(),
                http.Request.ContentType ?? "",
                body));
            foreach (var waiter in _waiters.Where(w => _received.Count >= w.Count).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }

            gate = _gate.Task;
        }

        await gate;
        http.Response.StatusCode = _answers.TryDequeue(out var status) ? (int)status : StatusCodes.Status200OK;
    }
}

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedWebhook(string Path, string IdempotencyKey, string ContentType, string Body);
