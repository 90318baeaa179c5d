using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;

namespace OrleansTenancy.Runtime.Tests.Messaging;

public sealed class InMemoryTransportTests
{
    [Fact]
    public async Task Frames_reach_an_endpoint_in_the_order_they_were_sent_from_many_threads()
    {
        var transport = new InMemoryMessageTransport();
        var handler = new RecordingHandler(expected: 4 * 5_000);
        await using var listening = await transport.ListenAsync(new SiloAddress("silo", 1, 1), handler, CancellationToken.None);

        // Each sender's frames must arrive in its own order; a reordering transport breaks this within a few thousand frames.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                await transport.SendAsync(new SiloAddress("silo", 1, 1), new[] { (byte)sender, (byte)(i >> 8), (byte)i }, CancellationToken.None);
            }
        })));
        var received = await handler.All.WaitAsync(TimeSpan.FromSeconds(30));

        for (var sender = 0; sender < 4; sender++)
        {
            var sequence = received.Where(f => f[0] == sender).Select(f => (f[1] << 8) | f[2]).ToArray();
            Assert.Equal(Enumerable.Range(0, 5_000), sequence);
        }
    }

    [Fact]
    public async Task Sending_to_an_endpoint_that_is_not_listening_names_it()
    {
        var transport = new InMemoryMessageTransport();

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(async () =>
            await transport.SendAsync(new SiloAddress("gone", 7, 3), new byte[] { 1 }, CancellationToken.None));

        Assert.Contains("gone", error.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingHandler(int expected) : IMessageHandler
    {
        private readonly List<byte[]> _frames = [];
        private readonly TaskCompletionSource<byte[][]> _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<byte[][]> All => _all.Task;

        public void OnFrame(ReadOnlyMemory<byte> frame)
        {
            // Handling takes uneven time, as decoding does: a transport that delivers frames concurrently lets a later
            // frame overtake an earlier one here.
            Thread.SpinWait(Random.Shared.Next(0, 2_000));
            lock (_frames)
            {
                _frames.Add(frame.ToArray());
                if (_frames.Count == expected)
                {
                    _all.SetResult([.. _frames]);
                }
            }
        }
    }
}
