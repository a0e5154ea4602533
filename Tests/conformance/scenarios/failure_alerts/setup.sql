CREATE TABLE alerts_loaded (ds date NOT NULL, note text NOT NULL);
