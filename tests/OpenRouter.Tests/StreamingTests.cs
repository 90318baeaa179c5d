using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Tests;

public sealed class StreamingTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Theory]
    [InlineData("empty-delta", 1)]
    [InlineData("no-choices", 0)]
    public async Task Usage_arrives_in_the_final_chunk_in_either_shape(string shape, int choicesInUsageChunk)
    {
        var id = SimulatorFixture.NewId();
        await using var stream = await fixture.CreateClient().StartStreamAsync(
            SimulatorFixture.Request("anthropic/claude-3-haiku"),
            SimulatorFixture.Call(id, ("X-Sim-Usage-Shape", shape), ("X-Sim-Prompt-Tokens", "40"), ("X-Sim-Completion-Tokens", "10")));

        var chunks = new List<ChatCompletionChunk>();
        await foreach (var chunk in stream.ReadChunksAsync())
        {
            chunks.Add(chunk);
        }

        var text = string.Concat(chunks.SelectMany(chunk => chunk.Choices).Select(choice => choice.Delta?.Content));
        Assert.StartsWith("Simulated reply from anthropic/claude-3-haiku", text, StringComparison.Ordinal);
        Assert.True(stream.Completed);
        Assert.True(stream.OutputStarted);
        Assert.Null(stream.Error);
        Assert.Equal("anthropic/claude-3-haiku", stream.Model);
        Assert.Equal(choicesInUsageChunk, chunks[^1].Choices.Count);
        Assert.NotNull(chunks[^1].Usage);
        Assert.All(chunks.Take(chunks.Count - 1), chunk => Assert.Null(chunk.Usage));
        Assert.Equal(40, stream.Usage!.PromptTokens);
        Assert.Equal(10, stream.Usage.CompletionTokens);
        Assert.Equal((40 * 0.00000025m) + (10 * 0.00000125m), stream.Usage.Cost);
        Assert.Equal("stop", chunks.SelectMany(chunk => chunk.Choices).Single(choice => choice.FinishReason is not null).FinishReason);
    }

    [Fact]
    public async Task Comment_lines_are_skipped_and_counted()
    {
        await using var stream = await fixture.CreateClient().StartStreamAsync(SimulatorFixture.Request(), SimulatorFixture.Call(SimulatorFixture.NewId()));

        var chunks = 0;
        await foreach (var chunk in stream.ReadChunksAsync())
        {
            Assert.Equal("chat.completion.chunk", chunk.ObjectType);
            chunks++;
        }

        Assert.Equal(2, stream.CommentLines);
        Assert.Equal(4 + 2, chunks);
    }

    [Fact]
    public async Task Mid_stream_error_surfaces_after_output_and_is_not_retried()
    {
        var id = SimulatorFixture.NewId();
        var client = fixture.CreateClient(options => options.MaxRetries = 3);
        await using var stream = await client.StartStreamAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Stream-Error-After", "2")));

        var received = new List<ChatCompletionChunk>();
        var error = await Assert.ThrowsAsync<OpenRouterException>(async () =>
        {
            await foreach (var chunk in stream.ReadChunksAsync())
            {
                received.Add(chunk);
            }
        });

        Assert.True(error.OutputStarted);
        Assert.True(error.ChargeMayHaveOccurred);
        Assert.False(error.IsRetryable);
        Assert.Equal("server_error", error.ErrorCode);
        Assert.Equal(OpenRouterErrorKind.BadGateway, error.Kind);
        Assert.Contains("Provider disconnected", error.Message, StringComparison.Ordinal);
        Assert.Same(error, stream.Error);
        Assert.Equal(3, received.Count);
        Assert.Equal("error", received[^1].Choices[0].FinishReason);
        Assert.False(stream.Completed);
        var recorded = await fixture.Recorded(id);
        Assert.Equal("stream-error", recorded.Outcome);
        Assert.Equal(1, fixture.AttemptsSeen(id));
    }

    [Fact]
    public async Task Cancelling_after_the_first_chunk_stops_reading_and_closes_the_connection()
    {
        var id = SimulatorFixture.NewId();
        using var cancel = new CancellationTokenSource();
        await using var stream = await fixture.CreateClient().StartStreamAsync(
            SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Chunk-Delay-Ms", "30000")));

        var chunks = stream.ReadChunksAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("assistant", chunks.Current.Choices[0].Delta!.Role);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await chunks.MoveNextAsync());
        await chunks.DisposeAsync();

        var recorded = await fixture.Recorded(id);
        Assert.Equal("client-disconnected", recorded.Outcome);
        Assert.Equal(1, recorded.ChunksSent);
        Assert.Null(stream.Usage);
    }

    [Fact]
    public async Task StreamAsync_yields_every_chunk_and_forces_stream_true()
    {
        var id = SimulatorFixture.NewId();
        var chunks = new List<ChatCompletionChunk>();
        await foreach (var chunk in fixture.CreateClient().StreamAsync(SimulatorFixture.Request(), SimulatorFixture.Call(id, ("X-Sim-Chunks", "3"))))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(3 + 2, chunks.Count);
        Assert.Contains("\"stream\":true", (await fixture.Recorded(id)).Body, StringComparison.Ordinal);
    }
}
