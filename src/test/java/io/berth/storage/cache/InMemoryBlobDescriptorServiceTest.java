package io.berth.storage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import org.junit.jupiter.api.Test;

class InMemoryBlobDescriptorServiceTest extends BlobDescriptorServiceContract {

    @Override
    BlobDescriptorService create() {
        return new InMemoryBlobDescriptorService(InMemoryBlobDescriptorService.DEFAULT_SIZE);
    }

    @Test
    void holdsNoMoreEntriesThanItsBound() {
        InMemoryBlobDescriptorService small = new InMemoryBlobDescriptorService(10);
        for (int i = 0; i < 200; i++) {
            Digest digest = digest("bounded" + i);
            small.set(Scope.layers(repo), digest, Descriptor.of(digest, i), small.epoch());
        }
        assertThat(small.size()).isLessThanOrEqualTo(10);
    }
}
