using System.Collections.Concurrent;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>What one simulator instance remembers: options, current knob defaults, attempt counts and the request log.</summary>
public sealed class SimulatorState
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private volatile SimulatorKnobs _defaults;

    /// <summary>Creates the state for <paramref name="options"/>.</summary>
    /// <param name="options">The simulator options.</param>
    public SimulatorState(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _defaults = options.Defaults;
        Requests = new RequestLog(options.RecentRequestCapacity);
        ModelsById = options.Models.ToDictionary(model => model.Id, StringComparer.Ordinal);
        ModelsBody = new ModelsResponse
        {
            Data = [.. options.Models.Select(ToWire)],
        };
    }

    /// <summary>The options.</summary>
    public SimulatorOptions Options { get; }

    /// <summary>The request log.</summary>
    public RequestLog Requests { get; }

    /// <summary>Knob defaults for requests that do not override them; replaced atomically by <c>POST /_sim/config</c>.</summary>
    public SimulatorKnobs Defaults
    {
        get => _defaults;
        set => _defaults = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Raised with the <c>X-Request-Id</c> (or null) once a chat completion request has been read in full, before it
    /// is answered; lets tests act while the simulator is still working on a request.
    /// </summary>
    public event Action<string?>? RequestReceived;

    /// <summary>
    /// When set, awaited with the <c>X-Request-Id</c> (or null) once a chat completion request has been read, before it
    /// is answered: tests keep upstream busy with a task they complete, instead of a latency. <see cref="Reset"/> clears it.
    /// </summary>
    public Func<string?, Task>? AnswerGate { get; set; }

    internal IReadOnlyDictionary<string, SimulatedModel> ModelsById { get; }

    internal ModelsResponse ModelsBody { get; }

    /// <summary>Clears the request log and attempt counts and restores the configured knob defaults.</summary>
    public void Reset()
    {
        _attempts.Clear();
        Requests.Clear();
        _defaults = Options.Defaults;
        AnswerGate = null;
    }

    internal void OnRequestReceived(string? requestId) => RequestReceived?.Invoke(requestId);

    internal int NextAttempt(string key) => _attempts.AddOrUpdate(key, 1, static (_, previous) => previous + 1);

    private static ModelInfo ToWire(SimulatedModel model) => new()
    {
        Id = model.Id,
        Name = model.Name,
        Created = 1_700_000_000,
        ContextLength = model.ContextLength,
        Pricing = new ModelPricing
        {
            Prompt = model.PromptPerToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Completion = model.CompletionPerToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Request = "0",
            Image = "0",
        },
        TopProvider = new TopProvider
        {
            ContextLength = model.ContextLength,
            MaxCompletionTokens = model.MaxCompletionTokens,
            IsModerated = false,
        },
    };
}
