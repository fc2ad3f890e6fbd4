package jobs

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Lapse makes a job's hold run out now, as when its instance stopped a
// minute ago.
func Lapse(t *testing.T, db *mongo.Database, id string) {
	t.Helper()
	_, err := db.Collection("jobs").UpdateOne(context.Background(), bson.M{"_id": id}, bson.M{"$set": bson.M{"until": time.Now().Add(-time.Second).UTC()}})
	if err != nil {
		t.Fatal(err)
	}
}
