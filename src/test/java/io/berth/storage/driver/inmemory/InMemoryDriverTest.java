package io.berth.storage.driver.inmemory;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverContract;

class InMemoryDriverTest extends StorageDriverContract {

    @Override
    protected StorageDriver newDriver() {
        return new InMemoryDriver();
    }
}
